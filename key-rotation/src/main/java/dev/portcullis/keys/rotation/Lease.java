package dev.portcullis.keys.rotation;

import java.time.Instant;
import java.util.Objects;

/**
 * A held {@link LeaseLock}: the lock's name, who holds it, until when, the store's version of the
 * lock document (for compare-and-set), and the rotation progress recorded in it: every stored key
 * was re-wrapped to at least version {@code rewrappedTo} (0: never re-wrapped).
 */
public record Lease(String name, String holder, Instant expiresAt, long version, int rewrappedTo) {

    public Lease {
        Objects.requireNonNull(name, "name cannot be null");
        Objects.requireNonNull(holder, "holder cannot be null");
        Objects.requireNonNull(expiresAt, "expiresAt cannot be null");
    }
}
