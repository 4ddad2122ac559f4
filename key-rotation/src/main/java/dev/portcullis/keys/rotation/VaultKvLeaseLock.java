package dev.portcullis.keys.rotation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.vault.VaultClient;
import io.github.jopenlibs.vault.json.JsonObject;

/**
 * A {@link LeaseLock} kept in Vault's KV v2 engine, one document per lock at
 * {@code <mount>/data/<prefix>/<name>}, taken and renewed with check-and-set writes
 * ({@code options.cas}), so that of two instances writing at once exactly one succeeds.
 *
 * <p>Why Vault KV: every instance already reaches Vault (no new dependency, no new credential),
 * KV v2 has a real compare-and-set, and the rotation lock then fails exactly when rotation itself
 * must fail (Vault down). See docs/keys.md.
 *
 * <p>Lease expiry compares the holder's written {@code expires_at} with this instance's
 * {@link Clock}: instances MUST have clocks synchronised (NTP) to well within the lease duration.
 * A skew only lets a second instance take an expired-looking lock early; the rotation service then
 * re-reads the key under the lock and finds it no longer due, so the worst case is wasted work,
 * not a double rotation, unless the skew is larger than the time one rotation takes.
 *
 * <p>A lock is released by writing an expired lease (no delete capability is needed).
 *
 * <p>Within one instance the lock is held by one run at a time: the scheduler and the admin API's
 * requests share this object (one per instance), and a lock that let its own instance in twice
 * would let two runs rotate the same key at once (and the slower one lower
 * {@code min_decryption_version} again). A lease under this instance's name that no run of this
 * object holds (a run whose release failed, e.g. Vault went away, or the instance's previous life)
 * is taken over at once rather than waited out.
 */
public final class VaultKvLeaseLock implements LeaseLock {

    /** The KV v2 mount configured by the local stack and the Terraform module. */
    public static final String DEFAULT_MOUNT = "portcullis-kv";
    /** The folder of the rotation locks inside the mount. */
    public static final String DEFAULT_PREFIX = "rotation-locks";

    private static final Logger LOG = Logger.getLogger(VaultKvLeaseLock.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final VaultClient vault;
    private final String holder;
    private final Clock clock;
    private final String mount;
    private final String prefix;
    /** The locks a run of this instance holds now (taken before Vault is asked, given back on release). */
    private final Set<String> heldHere = ConcurrentHashMap.newKeySet();

    /** A lock at the default mount and prefix, held under the name {@code holder} (unique per instance). */
    public VaultKvLeaseLock(VaultClient vault, String holder, Clock clock) {
        this(vault, holder, clock, DEFAULT_MOUNT, DEFAULT_PREFIX);
    }

    public VaultKvLeaseLock(VaultClient vault, String holder, Clock clock, String mount, String prefix) {
        this.vault = Objects.requireNonNull(vault, "vault cannot be null");
        this.holder = Objects.requireNonNull(holder, "holder cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.mount = Objects.requireNonNull(mount, "mount cannot be null");
        this.prefix = Objects.requireNonNull(prefix, "prefix cannot be null");
        if (holder.isBlank()) {
            throw new IllegalArgumentException("holder cannot be blank");
        }
    }

    /** This instance's holder name. */
    public String holder() {
        return holder;
    }

    private record Doc(long version, String holder, Instant expiresAt, int rewrappedTo) {
    }

    private String path(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("lock name '" + name + "' is not a valid key name");
        }
        return mount + "/data/" + prefix + "/" + name;
    }

    private Optional<Doc> read(String name) {
        Optional<JsonObject> response = vault.readKvVersion(path(name));
        if (response.isEmpty()) {
            return Optional.empty();
        }
        JsonObject metadata = response.get().get("metadata") == null ? null : response.get().get("metadata").asObject();
        var dataValue = response.get().get("data");
        long version = metadata == null ? 0 : metadata.getLong("version", 0);
        if (dataValue == null || dataValue.isNull()) {
            // A deleted version (e.g. an operator's `kv delete` of a lock thought stuck): a free lock
            // at this version, which the next check-and-set write must name.
            return Optional.of(new Doc(version, "", Instant.EPOCH, 0));
        }
        JsonObject data = dataValue.asObject();
        Instant expires;
        try {
            expires = Instant.parse(data.getString("expires_at", Instant.EPOCH.toString()));
        } catch (RuntimeException e) {
            expires = Instant.EPOCH;
        }
        return Optional.of(new Doc(version, data.getString("holder", ""), expires,
                Integer.parseInt(data.getString("rewrapped_to", "0"))));
    }

    private long write(String name, long cas, String who, Instant expiresAt, int rewrappedTo) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("options", new JsonObject().add("cas", cas));
        body.put("data", new JsonObject()
                .add("holder", who)
                .add("expires_at", expiresAt.toString())
                .add("rewrapped_to", Integer.toString(rewrappedTo)));
        // Once only: a repeated check-and-set that had succeeded would come back as a conflict.
        JsonObject response = vault.writeOnce(path(name), body);
        return response.getLong("version", cas + 1);
    }

    @Override
    public Optional<Lease> tryAcquire(String name, Duration duration) {
        if (!heldHere.add(name)) {
            return Optional.empty(); // another run of this instance holds it
        }
        boolean acquired = false;
        try {
            Instant now = clock.instant();
            Optional<Doc> current = read(name);
            if (current.isPresent() && !current.get().holder.isEmpty() && !current.get().holder.equals(holder)
                    && now.isBefore(current.get().expiresAt)) {
                return Optional.empty(); // another instance holds it
            }
            long cas = current.map(Doc::version).orElse(0L);
            int progress = current.map(Doc::rewrappedTo).orElse(0);
            Instant expires = now.plus(duration);
            try {
                long version = write(name, cas, holder, expires, progress);
                acquired = true;
                return Optional.of(new Lease(name, holder, expires, version, progress));
            } catch (KeyException e) {
                if (e.reason() == Reason.CONFLICT) {
                    return Optional.empty(); // another instance took it between our read and write
                }
                throw e;
            }
        } finally {
            if (!acquired) {
                heldHere.remove(name);
            }
        }
    }

    @Override
    public Lease renew(Lease lease, Duration duration, int rewrappedTo) {
        Instant expires = clock.instant().plus(duration);
        try {
            long version = write(lease.name(), lease.version(), holder, expires, rewrappedTo);
            return new Lease(lease.name(), holder, expires, version, rewrappedTo);
        } catch (KeyException e) {
            if (e.reason() == Reason.CONFLICT) {
                throw new KeyException(Reason.CONFLICT, "lost the rotation lock on " + lease.name()
                        + ": its lease expired and another instance took it", e);
            }
            throw e;
        }
    }

    @Override
    public void release(Lease lease, int rewrappedTo) {
        try {
            write(lease.name(), lease.version(), "", Instant.EPOCH, rewrappedTo);
        } catch (KeyException e) {
            // Other instances wait for the lease to run out; this one takes it over on its next run.
            LOG.log(Level.WARNING, "could not release the rotation lock on " + lease.name() + " (" + e.reason()
                    + "); it expires at " + lease.expiresAt());
        } finally {
            heldHere.remove(lease.name());
        }
    }

    @Override
    public int rewrappedTo(String name) {
        return read(name).map(Doc::rewrappedTo).orElse(0);
    }
}
