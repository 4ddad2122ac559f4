package dev.portcullis.keys;

/**
 * A key operation failed. {@link #reason()} is the stable, machine-readable cause (also a metric
 * label); the message is safe to log and never holds key material.
 */
public class KeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a key operation failed. */
    public enum Reason {
        /** The KMS is unreachable or answered with a transient error: retrying may succeed. */
        UNAVAILABLE,
        /** The KMS is sealed. */
        SEALED,
        /** The credential may not do this (e.g. a real 403 from Vault). */
        FORBIDDEN,
        /** No such key, or no such key version (e.g. below min_decryption_version). */
        NOT_FOUND,
        /** The ciphertext or wrapped key is malformed or was tampered with. */
        INVALID_CIPHERTEXT,
        /** The credential expired and could not be renewed. */
        UNAUTHENTICATED,
        /** The configuration is wrong (names the setting). */
        MISCONFIGURED,
        /**
         * A compare-and-set lost: someone else changed the value first (e.g. another instance
         * took the rotation lock). Re-read and decide again.
         */
        CONFLICT,
        /** The KMS refused the request as malformed (a bug or a wrong parameter; not retried). */
        REJECTED
    }

    private final Reason reason;

    public KeyException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public KeyException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The stable cause, also usable as a metric label ({@code reason.name().toLowerCase()}). */
    public Reason reason() {
        return reason;
    }
}
