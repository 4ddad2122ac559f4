package dev.portcullis.audit.json;

import dev.portcullis.audit.AuditException;

/**
 * An event's JSON does not follow the audit event contract. The message names the member and what
 * was expected, never the offending value (it may be personal data).
 */
public final class MalformedEventException extends AuditException {

    private static final long serialVersionUID = 1L;

    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
