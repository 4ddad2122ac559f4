package dev.portcullis.anomaly.source;

import java.io.IOException;

import dev.portcullis.audit.AuditEvent;

/**
 * A finite stream of audit events in log order, for offline detection. Input that is not an event
 * is skipped and recorded in {@link #skipped()}, never thrown: one bad line must not hide the rest.
 */
public interface EventSource extends AutoCloseable {

    /** The next event, or null at the end of the input. */
    AuditEvent next() throws IOException;

    /** What was skipped so far. */
    SkippedLines skipped();

    @Override
    void close() throws IOException;
}
