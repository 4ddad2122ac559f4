package dev.portcullis.audit;

import java.util.List;

import dev.portcullis.audit.checkpoint.SignedCheckpoint;

/**
 * A tamper-evident, append-only audit log: a Merkle tree (RFC 6962) over the canonical bytes of
 * its events, with signed checkpoints (C2SP tlog-checkpoint) that let anyone verify it offline.
 *
 * <p>Durability contract: {@link #append} and {@link #appendAll} MUST NOT return before their
 * events are durable in the log's {@link DurabilityMode} and MUST throw {@link AuditException}
 * when they cannot make them so; after such a failure the log fails closed (every later append
 * throws) until it is reopened and has recovered. Entries are numbered from 0 in append order and
 * are never changed or removed. Concurrent appends from many (virtual) threads are expected and
 * share flushes (group commit). Checkpoints are signed periodically and on demand, never once per
 * append, so a signer may take a network round trip.
 */
public interface AuditLog extends AuditSink, AuditLogReader {

    /**
     * Appends {@code events} as one atomic batch: after a crash either all of them are in the log,
     * consecutively and in this order, or none is.
     *
     * @throws AuditException if the batch could not be recorded (nothing of it is then acknowledged)
     */
    void appendAll(List<AuditEvent> events) throws AuditException;

    /**
     * Signs a checkpoint covering every entry made durable before this call (or returns the latest
     * one if it already does) and persists it.
     *
     * @throws AuditException if signing or persisting failed
     */
    SignedCheckpoint checkpoint() throws AuditException;

    /** Flushes, signs a final checkpoint if entries were added since the last one, and releases the log. */
    @Override
    void close();
}
