package dev.portcullis.audit.checkpoint;

import dev.portcullis.audit.AuditException;

/** A checkpoint or signed note is malformed, unsigned by a trusted key, or its signature is wrong. */
public final class CheckpointException extends AuditException {

    private static final long serialVersionUID = 1L;

    /** Why; stable names, usable as metric labels. */
    public enum Code {
        /** The text does not follow the signed-note or tlog-checkpoint format. */
        MALFORMED,
        /** No signature of the note is from a trusted key. */
        NO_TRUSTED_SIGNATURE,
        /** A signature claims to be from a trusted key but does not verify: forged or altered. */
        BAD_SIGNATURE,
        /** The checkpoint names another log than the one expected. */
        WRONG_ORIGIN,
        /** The signer could not produce a signature (key unavailable, Vault down). */
        SIGNING_FAILED
    }

    private final Code code;

    public CheckpointException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public CheckpointException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
