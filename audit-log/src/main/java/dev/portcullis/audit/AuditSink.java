package dev.portcullis.audit;

/**
 * Where audit events go. An implementation MUST NOT return from {@link #append} before the event
 * is durable in the sense of its configured durability mode (by default: on stable storage), and
 * MUST throw rather than return when it cannot make it so; a caller that authorizes a request
 * relies on this to never answer without an audit record.
 */
@FunctionalInterface
public interface AuditSink {

    /**
     * Appends {@code event}.
     *
     * @throws AuditException if the event could not be recorded; the caller must treat the
     *     action as not audited (for a decision: deny)
     */
    void append(AuditEvent event) throws AuditException;
}
