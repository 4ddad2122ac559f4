package dev.portcullis.audit;

/** An audit event could not be recorded, read or verified. The message never holds event values that could be secret. */
public class AuditException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AuditException(String message) {
        super(message);
    }

    public AuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
