package dev.portcullis.keys.datakeys;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;

/**
 * An in-memory cache of plaintext data keys for envelope encryption, so that only a cache miss
 * costs a round trip to Vault.
 *
 * <p>Two uses:
 * <ul>
 *   <li>{@link #forEncryption}: the same fresh data key (made by a {@link DataKeyGenerator}) for
 *       many encryptions under one KEK and associated data, until it is too old or used too often;
 *   <li>{@link #unwrap}: the plaintext of a stored wrapped key, unwrapped once through the
 *       {@link KeyWrapper} and then served from memory for the same ciphertext <em>and</em> the
 *       same associated data only (a hit never skips the KMS's check of the associated data).
 * </ul>
 *
 * <p><b>Guarantees.</b> Every entry is bounded by age ({@code maxAge}, read from the injected
 * {@link Clock}) and by number of uses ({@code maxUses}); the cache holds at most
 * {@code maxEntries} keys (least recently used go first). An entry that is evicted for any of these
 * reasons, replaced, {@linkplain #invalidate invalidated} or {@linkplain #close() closed} is wiped
 * ({@link SecretBytes#destroy()}) at once. Callers never share the cache's array: each call
 * returns a copy that the caller owns and must close. An expired entry is wiped at the latest on
 * the next call to the cache or to {@link #evictExpired()}, which an owner with idle periods
 * should schedule.
 *
 * <p><b>Warnings.</b> While an unwrapped key is cached, raising the KEK's
 * {@code min_decryption_version} does not stop this process from using it: the rotation job calls
 * {@link #invalidate(String)} in its own process, and other instances forget it within
 * {@code maxAge}. Keep {@code maxAge} well below the shortest rotation period. Wiping is best
 * effort (see {@link SecretBytes}).
 *
 * <p>Thread-safe. Vault is called outside the cache's lock; concurrent misses on the same entry are
 * collapsed into one call.
 */
public final class DataKeyCache implements AutoCloseable {

    /** Default bound on an entry's age: five minutes. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);
    /**
     * Default bound on uses of one entry: 2^20. Far below the 2^32 messages NIST SP 800-38D allows
     * under one AES-GCM key with random nonces, so a data key reused this often stays safe.
     */
    public static final long DEFAULT_MAX_USES = 1L << 20;
    /** Default bound on the number of cached keys. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    private static final int LOAD_STRIPES = 64;

    private final DataKeyGenerator generator;
    private final KeyWrapper wrapper;
    private final Duration maxAge;
    private final long maxUses;
    private final int maxEntries;
    private final Clock clock;
    private final Object[] loadLocks = new Object[LOAD_STRIPES];
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private boolean closed;

    private DataKeyCache(Builder b) {
        this.generator = b.generator;
        this.wrapper = b.wrapper;
        this.maxAge = b.maxAge;
        this.maxUses = b.maxUses;
        this.maxEntries = b.maxEntries;
        this.clock = b.clock;
        for (int i = 0; i < LOAD_STRIPES; i++) {
            loadLocks[i] = new Object();
        }
    }

    /**
     * A builder of a cache that makes new data keys with {@code generator} and unwraps stored ones
     * with {@code wrapper}.
     */
    public static Builder builder(DataKeyGenerator generator, KeyWrapper wrapper) {
        return new Builder(generator, wrapper);
    }

    /**
     * A data key to encrypt with, under {@code kekName} and bound to {@code associatedData}: the
     * cached one while it is young and little used enough, else a new one. The caller owns the
     * returned key (a copy) and must close it; its {@link DataKey#wrapped()} goes beside the data.
     */
    public DataKey forEncryption(String kekName, byte[] associatedData) throws KeyException {
        Objects.requireNonNull(kekName, "kekName cannot be null");
        Objects.requireNonNull(associatedData, "associatedData cannot be null");
        String id = "e\u0000" + kekName + "\u0000" + digest(associatedData);
        DataKey hit = take(id);
        if (hit != null) {
            return hit;
        }
        synchronized (loadLock(id)) {
            hit = take(id);
            if (hit != null) {
                return hit;
            }
            misses.increment();
            DataKey fresh = generator.generate(kekName, associatedData);
            DataKey copy = new DataKey(fresh.plaintext().copy(), fresh.wrapped());
            put(id, new Entry(fresh.plaintext(), fresh.wrapped(), clock.instant()));
            return copy;
        }
    }

    /**
     * The plaintext of {@code wrapped}, bound to {@code associatedData}: from the cache when this
     * exact ciphertext was unwrapped with this exact associated data before (and the entry is still
     * within its bounds), else through the {@link KeyWrapper}. The caller owns (and must destroy)
     * the returned copy.
     */
    public SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) throws KeyException {
        Objects.requireNonNull(wrapped, "wrapped cannot be null");
        Objects.requireNonNull(associatedData, "associatedData cannot be null");
        String id = "d\u0000" + wrapped.kekName() + "\u0000" + digest(wrapped.ciphertext(), associatedData);
        DataKey hit = take(id);
        if (hit != null) {
            return hit.plaintext();
        }
        synchronized (loadLock(id)) {
            hit = take(id);
            if (hit != null) {
                return hit.plaintext();
            }
            misses.increment();
            SecretBytes plaintext = wrapper.unwrap(wrapped, associatedData);
            SecretBytes copy = plaintext.copy();
            put(id, new Entry(plaintext, wrapped, clock.instant()));
            return copy;
        }
    }

    /** Wipes and forgets every entry under {@code kekName} (e.g. after its rotation). */
    public void invalidate(String kekName) {
        Objects.requireNonNull(kekName, "kekName cannot be null");
        synchronized (entries) {
            Iterator<Entry> it = entries.values().iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (e.wrapped.kekName().equals(kekName)) {
                    it.remove();
                    wipe(e);
                }
            }
        }
    }

    /** Wipes and forgets every entry that is past its age bound. */
    public void evictExpired() {
        Instant now = clock.instant();
        synchronized (entries) {
            Iterator<Entry> it = entries.values().iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (e.expired(now, maxAge)) {
                    it.remove();
                    wipe(e);
                }
            }
        }
    }

    /** Counters since creation: hits, misses (each a Vault round trip), wiped entries, current size. */
    public record Stats(long hits, long misses, long evictions, int size) {
    }

    public Stats stats() {
        synchronized (entries) {
            return new Stats(hits.sum(), misses.sum(), evictions.sum(), entries.size());
        }
    }

    /** Wipes every entry; later calls still work (and miss). */
    public void invalidateAll() {
        synchronized (entries) {
            entries.values().forEach(this::wipe);
            entries.clear();
        }
    }

    /** Wipes every entry and refuses further use. */
    @Override
    public void close() {
        synchronized (entries) {
            closed = true;
        }
        invalidateAll();
    }

    // --- internals ---------------------------------------------------------------------------------

    private static final class Entry {
        final SecretBytes key;
        final WrappedKey wrapped;
        final Instant created;
        long uses;

        Entry(SecretBytes key, WrappedKey wrapped, Instant created) {
            this.key = key;
            this.wrapped = wrapped;
            this.created = created;
        }

        boolean expired(Instant now, Duration maxAge) {
            return !now.isBefore(created.plus(maxAge));
        }
    }

    /** A copy of the entry's key if it is within its bounds (counting this use), else null. */
    private DataKey take(String id) {
        Instant now = clock.instant();
        synchronized (entries) {
            if (closed) {
                throw new IllegalStateException("the data key cache was closed");
            }
            Entry e = entries.get(id);
            if (e == null) {
                return null;
            }
            if (e.expired(now, maxAge) || e.uses >= maxUses) {
                entries.remove(id);
                wipe(e);
                return null;
            }
            e.uses++;
            hits.increment();
            DataKey copy = new DataKey(e.key.copy(), e.wrapped);
            if (e.uses >= maxUses) {
                entries.remove(id);
                wipe(e);
            }
            return copy;
        }
    }

    private void put(String id, Entry entry) {
        Instant now = clock.instant();
        synchronized (entries) {
            if (closed) {
                wipe(entry);
                throw new IllegalStateException("the data key cache was closed");
            }
            // The caller's copy was its first use.
            entry.uses = 1;
            if (entry.uses >= maxUses) {
                wipe(entry);
                return;
            }
            Entry previous = entries.put(id, entry);
            if (previous != null) {
                wipe(previous);
            }
            Iterator<Entry> it = entries.values().iterator();
            while (it.hasNext() && entries.size() > maxEntries) {
                Entry eldest = it.next();
                it.remove();
                wipe(eldest);
            }
            // Opportunistic sweep: a miss is already slow, and this bounds how long expired keys linger.
            it = entries.values().iterator();
            while (it.hasNext()) {
                Entry e = it.next();
                if (e.expired(now, maxAge)) {
                    it.remove();
                    wipe(e);
                }
            }
        }
    }

    private void wipe(Entry e) {
        e.key.destroy();
        evictions.increment();
    }

    private Object loadLock(String id) {
        return loadLocks[Math.floorMod(id.hashCode(), LOAD_STRIPES)];
    }

    /** SHA-256 over length-prefixed parts, so that no two different inputs share a cache id. */
    private static String digest(byte[]... parts) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha256.update(ByteBuffer.allocate(4).putInt(part.length).array());
                sha256.update(part);
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Builds a {@link DataKeyCache}; every bound has a documented default. */
    public static final class Builder {
        private final DataKeyGenerator generator;
        private final KeyWrapper wrapper;
        private Duration maxAge = DEFAULT_MAX_AGE;
        private long maxUses = DEFAULT_MAX_USES;
        private int maxEntries = DEFAULT_MAX_ENTRIES;
        private Clock clock = Clock.systemUTC();

        private Builder(DataKeyGenerator generator, KeyWrapper wrapper) {
            this.generator = Objects.requireNonNull(generator, "generator cannot be null");
            this.wrapper = Objects.requireNonNull(wrapper, "wrapper cannot be null");
        }

        /** Default {@link #DEFAULT_MAX_AGE}; must be positive. */
        public Builder maxAge(Duration maxAge) {
            Objects.requireNonNull(maxAge, "maxAge cannot be null");
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
            }
            this.maxAge = maxAge;
            return this;
        }

        /** Default {@link #DEFAULT_MAX_USES}; at least 1 (1 disables reuse). */
        public Builder maxUses(long maxUses) {
            if (maxUses < 1) {
                throw new IllegalArgumentException("maxUses must be at least 1, was " + maxUses);
            }
            this.maxUses = maxUses;
            return this;
        }

        /** Default {@link #DEFAULT_MAX_ENTRIES}; at least 1. */
        public Builder maxEntries(int maxEntries) {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
            }
            this.maxEntries = maxEntries;
            return this;
        }

        /** Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        public DataKeyCache build() {
            return new DataKeyCache(this);
        }
    }
}
