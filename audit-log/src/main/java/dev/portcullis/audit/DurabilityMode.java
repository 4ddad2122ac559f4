package dev.portcullis.audit;

/**
 * When {@link AuditSink#append} may return.
 */
public enum DurabilityMode {
    /**
     * The default. {@code append} MUST NOT return before the event is on stable storage
     * ({@code fdatasync} of the segment file, or a committed PostgreSQL transaction with
     * {@code synchronous_commit=on}). Concurrent appends share one flush (group commit), so the
     * cost of a flush is spread over every event waiting for it.
     */
    DURABLE,
    /**
     * {@code append} returns once the event is queued for the writer; it is flushed within the
     * log's configured async flush interval. Trade-off: events acknowledged in the last interval
     * are lost if the process is killed before they are written or the machine fails before they
     * are flushed, and a decision may have been answered without its record surviving. Checkpoints
     * are still only signed over flushed entries. Choose it only where losing the last moments of
     * audit is acceptable.
     */
    ASYNC
}
