package dev.portcullis.keys.rotation;

import java.time.Duration;
import java.util.Optional;

import dev.portcullis.keys.KeyException;

/**
 * A named lock held for a bounded time (a lease), so that of several service instances exactly one
 * works on a key at a time, and a holder that dies without releasing blocks the others only until
 * its lease runs out. The lock also carries the key's rotation progress, so that the next holder
 * can finish what a failed one started.
 */
public interface LeaseLock {

    /** Takes the lock on {@code name} for {@code duration}, or returns empty when someone else holds it. */
    Optional<Lease> tryAcquire(String name, Duration duration) throws KeyException;

    /**
     * Extends {@code lease} by {@code duration} from now and records {@code rewrappedTo}.
     *
     * @throws KeyException CONFLICT when the lease was lost (it expired and someone else took it)
     */
    Lease renew(Lease lease, Duration duration, int rewrappedTo) throws KeyException;

    /** Releases {@code lease}, recording {@code rewrappedTo}; best effort (the lease expires anyway). */
    void release(Lease lease, int rewrappedTo);

    /** The rotation progress recorded for {@code name} (0 when none), readable without the lock. */
    int rewrappedTo(String name) throws KeyException;
}
