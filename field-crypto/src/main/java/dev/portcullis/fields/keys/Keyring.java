package dev.portcullis.fields.keys;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.internal.DerivedKeys;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;

/**
 * The field keyring: tenants' and data subjects' keysets, their data keys generated here (32
 * random bytes from {@link SecureRandom}) and stored only wrapped under a KEK through a
 * {@link KeyWrapper} (Vault Transit), and a bounded in-memory cache of unwrapped, derived keys.
 *
 * <p><b>Guarantees.</b> A data key is wrapped with associated data naming its keyset and version,
 * so a wrapped key copied to another keyset or version does not unwrap. Cached keys live at most
 * {@code cacheTtl} (read from the injected {@link Clock}) and the cache holds at most
 * {@code cacheEntries} versions (past that, the ones that expire first go); evicted keys are wiped. {@link #forgetSubject} destroys the
 * subject's keyset in the repository durably and wipes this instance's cached copies before it
 * returns; other instances stop using their cached copies within {@code cacheTtl}.
 *
 * <p>Thread-safe; lookups of cached keys take no lock. The KMS is never called under a lock.
 */
public final class Keyring implements DataKeySource {

    /** Default time an unwrapped key stays cached: five minutes. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);
    /** Default number of cached key versions. */
    public static final int DEFAULT_CACHE_ENTRIES = 10_000;

    private static final byte[] WRAP_LABEL = "portcullis-fields/data-key/v1".getBytes(StandardCharsets.US_ASCII);

    private final DataKeyRepository repository;
    private final KeyWrapper wrapper;
    private final String kekName;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration cacheTtl;
    private final int cacheEntries;
    /*
     * Lock-free reads: a field operation looks its key up here on every call, so the hot path is
     * one ConcurrentHashMap get and a clock read, with no lock and no allocation. Writes (a miss,
     * an eviction) are rare and may race; the worst a race does is destroy a holder another thread
     * is using, which that thread notices (IllegalStateException) and answers by asking again.
     */
    private final ConcurrentHashMap<VersionKey, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CachedPrimary> primaries = new ConcurrentHashMap<>();
    /*
     * Keysets this instance destroyed, and when. A miss that loaded a keyset just before
     * forget-subject destroyed it would otherwise cache its keys after the forget's eviction (the
     * KMS call sits between the load and the put): every put is checked against this set after it
     * is made, and the forget adds to it before it evicts. Entries older than the cache TTL are
     * dropped when the next is added; a KMS call longer than that is not expected.
     */
    private final ConcurrentHashMap<String, Instant> forgotten = new ConcurrentHashMap<>();

    /** A cached key version and when it stops being served. */
    private record Cached(DerivedKeys keys, Instant expires) {
    }

    /** A keyset's primary version, its keys, and when the entry stops being served (never after its keys'). */
    private record CachedPrimary(int version, DerivedKeys keys, Instant expires) {
    }

    /** The cache key: a keyset id and a version (no string concatenation per lookup). */
    private record VersionKey(String keysetId, int version) {
    }

    private Keyring(Builder b) {
        this.repository = b.repository;
        this.wrapper = b.wrapper;
        this.kekName = b.kekName;
        this.clock = b.clock;
        this.random = b.random;
        this.cacheTtl = b.cacheTtl;
        this.cacheEntries = b.cacheEntries;
    }

    /**
     * A keyring over {@code repository}, wrapping data keys with {@code wrapper} under the KEK
     * named {@code kekName} (e.g. {@code portcullis-fields}).
     */
    public static Builder builder(DataKeyRepository repository, KeyWrapper wrapper, String kekName) {
        return new Builder(repository, wrapper, kekName);
    }

    /** The id of tenant {@code tenant}'s keyset, creating it (version 1) if absent. */
    public String tenantKeyset(String tenant) {
        String id = Keyset.tenantKeysetId(tenant);
        CachedPrimary p = primaries.get(id);
        if (p != null && clock.instant().isBefore(p.expires())) {
            return id; // seen in the store within the cache TTL; tenant keysets are never destroyed
        }
        if (repository.find(id).isEmpty()) {
            repository.createIfAbsent(new Keyset(id, tenant, Keyset.Kind.TENANT, java.util.List.of(newVersion(id, 1))),
                    null);
        }
        return id;
    }

    /** The id of data subject {@code subject}'s keyset in {@code tenant}, creating it if absent. */
    public String subjectKeyset(String tenant, String subject) {
        Objects.requireNonNull(subject, "subject cannot be null");
        // Read from the store on every call, never cached: the mapping is what forget-subject
        // removes, so no instance goes on encrypting a forgotten subject's new data under the
        // destroyed key (it gets a new keyset instead).
        Optional<String> existing = repository.findSubjectKeyset(tenant, subject);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] idBytes = new byte[15];
        random.nextBytes(idBytes);
        String id = "s:" + Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes);
        Keyset created = repository.createIfAbsent(
                new Keyset(id, tenant, Keyset.Kind.SUBJECT, java.util.List.of(newVersion(id, 1))), subject);
        return created.id();
    }

    /** The subject's keyset id if one exists (without creating one). */
    public Optional<String> findSubjectKeyset(String tenant, String subject) {
        return repository.findSubjectKeyset(tenant, subject);
    }

    /**
     * Rotates the data key of {@code keysetId}: adds a new version, which becomes the primary.
     * Existing ciphertexts keep decrypting with their own version. Returns the new version.
     */
    public int rotateDataKey(String keysetId) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Keyset keyset = repository.find(keysetId).orElseThrow(() -> unknown(keysetId));
            int next = keyset.primary().version() + 1;
            if (repository.addVersion(keysetId, newVersion(keysetId, next))) {
                primaries.remove(keysetId);
                return next;
            }
        }
        throw new FieldCryptoException(Code.KEY_UNAVAILABLE, "keyset " + keysetId
                + " changed three times while rotating; try again");
    }

    /**
     * Destroys data subject {@code subject}'s keyset (crypto-shredding) durably and wipes this
     * instance's cached copies. Returns the destroyed keyset's id, or empty if the subject had none.
     */
    public Optional<String> forgetSubject(String tenant, String subject) {
        Optional<String> id = repository.findSubjectKeyset(tenant, subject);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        forgotten.values().removeIf(at -> at.isBefore(now.minus(cacheTtl)));
        forgotten.put(id.get(), now);
        evict(id.get());
        boolean destroyed = repository.destroy(id.get());
        evict(id.get());
        return destroyed ? id : Optional.empty();
    }

    /** Wipes every cached key of {@code keysetId} in this instance. */
    public void evict(String keysetId) {
        primaries.remove(keysetId);
        for (Iterator<Map.Entry<VersionKey, Cached>> it = cache.entrySet().iterator(); it.hasNext();) {
            Map.Entry<VersionKey, Cached> e = it.next();
            if (e.getKey().keysetId().equals(keysetId)) {
                e.getValue().keys().destroy();
                it.remove();
            }
        }
    }

    /** Wipes every cached key. */
    public void evictAll() {
        primaries.clear();
        for (Iterator<Cached> it = cache.values().iterator(); it.hasNext();) {
            it.next().keys().destroy();
            it.remove();
        }
    }

    @Override
    public DerivedKeys primary(String keysetId) {
        Instant now = clock.instant();
        CachedPrimary p = primaries.get(keysetId);
        if (p != null && now.isBefore(p.expires()) && !p.keys().isDestroyed()) {
            return p.keys();
        }
        Keyset keyset = load(keysetId);
        int version = keyset.primary().version();
        Cached c = cached(keysetId, version, now);
        if (c == null) {
            c = derive(keyset, version);
        }
        Instant primaryExpires = now.plus(cacheTtl);
        CachedPrimary entry = new CachedPrimary(version, c.keys(),
                c.expires().isBefore(primaryExpires) ? c.expires() : primaryExpires);
        primaries.put(keysetId, entry);
        if (forgotten.containsKey(keysetId)) {
            primaries.remove(keysetId, entry);
            throw destroyedWhileLoading(keysetId);
        }
        trimPrimaries();
        return c.keys();
    }

    @Override
    public DerivedKeys version(String keysetId, int version) {
        Cached c = cached(keysetId, version, clock.instant());
        if (c != null) {
            return c.keys();
        }
        return derive(load(keysetId), version).keys();
    }

    /** The cached, live entry of that version, or null (an expired or destroyed one is removed and wiped). */
    private Cached cached(String keysetId, int version, Instant now) {
        VersionKey key = new VersionKey(keysetId, version);
        Cached c = cache.get(key);
        if (c == null) {
            return null;
        }
        if (now.isBefore(c.expires()) && !c.keys().isDestroyed()) {
            return c;
        }
        if (cache.remove(key, c)) {
            c.keys().destroy();
        }
        return null;
    }

    private Cached derive(Keyset keyset, int version) {
        KeyVersion stored = keyset.version(version).orElseThrow(() -> new FieldCryptoException(Code.UNKNOWN_KEY_VERSION,
                "keyset " + keyset.id() + " has no version " + version));
        DerivedKeys derived;
        try (SecretBytes dataKey = unwrap(keyset.id(), stored)) {
            derived = DerivedKeys.derive(dataKey, keyset.id(), version);
        }
        Cached entry = new Cached(derived, clock.instant().plus(cacheTtl));
        VersionKey key = new VersionKey(keyset.id(), version);
        Cached previous = cache.put(key, entry);
        if (previous != null) {
            previous.keys().destroy();
        }
        if (forgotten.containsKey(keyset.id())) {
            if (cache.remove(key, entry)) {
                entry.keys().destroy();
            }
            throw destroyedWhileLoading(keyset.id());
        }
        trimCache();
        return entry;
    }

    /**
     * Keeps at most {@code cacheEntries} versions, dropping (and wiping) the ones that expire
     * first. Runs only after a miss, which costs a KMS call anyway, so the scan is not on the
     * hot path.
     */
    private void trimCache() {
        while (cache.size() > cacheEntries) {
            Map.Entry<VersionKey, Cached> oldest = null;
            for (Map.Entry<VersionKey, Cached> e : cache.entrySet()) {
                if (oldest == null || e.getValue().expires().isBefore(oldest.getValue().expires())) {
                    oldest = e;
                }
            }
            if (oldest != null && cache.remove(oldest.getKey(), oldest.getValue())) {
                oldest.getValue().keys().destroy();
            }
        }
    }

    private void trimPrimaries() {
        while (primaries.size() > cacheEntries) {
            Map.Entry<String, CachedPrimary> oldest = null;
            for (Map.Entry<String, CachedPrimary> e : primaries.entrySet()) {
                if (oldest == null || e.getValue().expires().isBefore(oldest.getValue().expires())) {
                    oldest = e;
                }
            }
            if (oldest != null) {
                primaries.remove(oldest.getKey(), oldest.getValue());
            }
        }
    }

    private static FieldCryptoException destroyedWhileLoading(String keysetId) {
        return new FieldCryptoException(Code.KEY_DESTROYED, "key " + keysetId
                + " was destroyed (forget-subject) while it was being loaded; its data cannot be decrypted");
    }

    private Keyset load(String keysetId) {
        Optional<Keyset> keyset = repository.find(keysetId);
        if (keyset.isPresent()) {
            return keyset.get();
        }
        Optional<Instant> destroyed = repository.destroyedAt(keysetId);
        if (destroyed.isPresent()) {
            throw new FieldCryptoException(Code.KEY_DESTROYED, "key " + keysetId
                    + " was destroyed (forget-subject) at " + destroyed.get() + "; its data cannot be decrypted");
        }
        throw unknown(keysetId);
    }

    private SecretBytes unwrap(String keysetId, KeyVersion stored) {
        byte[] ad = wrapAssociatedData(keysetId, stored.version());
        try {
            return wrapper.unwrap(stored.wrapped(), ad);
        } catch (KeyException e) {
            throw new FieldCryptoException(Code.KEY_UNAVAILABLE, "cannot unwrap version " + stored.version()
                    + " of key " + keysetId + ": " + e.reason() + " (" + e.getMessage() + ")", e);
        }
    }

    private KeyVersion newVersion(String keysetId, int version) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        try (SecretBytes dataKey = SecretBytes.adopt(raw)) {
            WrappedKey wrapped = wrapper.wrap(kekName, dataKey, wrapAssociatedData(keysetId, version));
            return new KeyVersion(version, wrapped, clock.instant());
        } catch (KeyException e) {
            throw new FieldCryptoException(Code.KEY_UNAVAILABLE, "cannot wrap a new data key for " + keysetId
                    + " under KEK " + kekName + ": " + e.reason() + " (" + e.getMessage() + ")", e);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** The associated data a data key is wrapped with: a label, the keyset id and the version. */
    public static byte[] wrapAssociatedData(String keysetId, int version) {
        byte[] id = keysetId.getBytes(StandardCharsets.UTF_8);
        byte[] v = Integer.toString(version).getBytes(StandardCharsets.US_ASCII);
        byte[] ad = new byte[WRAP_LABEL.length + 1 + id.length + 1 + v.length];
        System.arraycopy(WRAP_LABEL, 0, ad, 0, WRAP_LABEL.length);
        System.arraycopy(id, 0, ad, WRAP_LABEL.length + 1, id.length);
        System.arraycopy(v, 0, ad, WRAP_LABEL.length + 2 + id.length, v.length);
        return ad;
    }

    private static FieldCryptoException unknown(String keysetId) {
        return new FieldCryptoException(Code.UNKNOWN_KEY, "no key named " + keysetId + " in this key store");
    }

    /** The repository this keyring stores its keysets in. */
    public DataKeyRepository repository() {
        return repository;
    }

    public KeyWrapper wrapper() {
        return wrapper;
    }

    /** Builds a {@link Keyring}; repository, wrapper and KEK name are required. */
    public static final class Builder {
        private final DataKeyRepository repository;
        private final KeyWrapper wrapper;
        private final String kekName;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random = new SecureRandom();
        private Duration cacheTtl = DEFAULT_CACHE_TTL;
        private int cacheEntries = DEFAULT_CACHE_ENTRIES;

        private Builder(DataKeyRepository repository, KeyWrapper wrapper, String kekName) {
            this.repository = Objects.requireNonNull(repository, "repository cannot be null");
            this.wrapper = Objects.requireNonNull(wrapper, "wrapper cannot be null");
            this.kekName = Objects.requireNonNull(kekName, "kekName cannot be null");
            if (kekName.isBlank()) {
                throw new IllegalArgumentException("kekName cannot be blank; e.g. portcullis-fields");
            }
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random cannot be null");
            return this;
        }

        /** How long an unwrapped key stays cached (default {@link #DEFAULT_CACHE_TTL}; zero disables caching). */
        public Builder cacheTtl(Duration ttl) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("cacheTtl cannot be negative, was " + ttl);
            }
            this.cacheTtl = ttl;
            return this;
        }

        public Builder cacheEntries(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("cacheEntries must be at least 1, was " + entries);
            }
            this.cacheEntries = entries;
            return this;
        }

        public Keyring build() {
            return new Keyring(this);
        }
    }
}
