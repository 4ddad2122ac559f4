package dev.portcullis.fields;

/**
 * A field could not be encrypted or decrypted. {@link #code()} is stable and machine-readable
 * (also a metric label); the message names the field path and what to do, and never holds a
 * value, a key or a ciphertext.
 */
public class FieldCryptoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why. Stable names: scripts, metrics and the HTTP layer branch on them. */
    public enum Code {
        /** Not a ciphertext of this format: bad prefix, bad base64, truncated, bad lengths. */
        MALFORMED_CIPHERTEXT,
        /** The format-version octet is not one this build reads. */
        UNSUPPORTED_FORMAT_VERSION,
        /** The mode octet is unknown, or not the mode the caller asked to decrypt. */
        WRONG_MODE,
        /** The tag did not verify: changed bytes, or a ciphertext moved to another field, record or tenant. */
        AUTHENTICATION_FAILED,
        /** No keyset of that name in this store (or it belongs to another tenant). */
        UNKNOWN_KEY,
        /** The keyset exists but has no such version. */
        UNKNOWN_KEY_VERSION,
        /** The key was destroyed by forget-subject: the data is gone for good. */
        KEY_DESTROYED,
        /** The KMS could not wrap or unwrap the data key (unreachable, sealed, forbidden). */
        KEY_UNAVAILABLE,
        /** The document is not valid JSON, or not within the limits. */
        MALFORMED_DOCUMENT,
        /** A JSONPath selector is malformed or uses syntax outside the supported subset. */
        INVALID_PATH,
        /** A value to encrypt is already a ciphertext of this format. */
        ALREADY_ENCRYPTED,
        /** A field uses per-subject keys but no data subject was given. */
        SUBJECT_REQUIRED,
        /** An argument is invalid (names it). */
        INVALID_ARGUMENT,
        /** The field policy could not be evaluated (OPA down, timeout, undefined or ill-shaped answer). */
        POLICY_UNAVAILABLE,
        /** The field policy refused the operation. */
        POLICY_DENIED,
        /** The audit event could not be recorded, so the result is withheld. */
        AUDIT_FAILED
    }

    private final Code code;

    public FieldCryptoException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public FieldCryptoException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
