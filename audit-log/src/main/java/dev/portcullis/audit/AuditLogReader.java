package dev.portcullis.audit;

import java.util.List;
import java.util.Optional;

import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.verify.ConsistencyProof;
import dev.portcullis.audit.verify.InclusionProof;

/**
 * The read side of a tamper-evident audit log: its entries, signed checkpoints and proofs.
 * Thread-safe. Everything a reader gets is about entries below {@link #size()} at the time of the
 * call; proofs are only worth something against a checkpoint whose signature the reader checked.
 */
public interface AuditLogReader extends AutoCloseable {

    /** The log's identity: the origin line of its checkpoints (e.g. {@code portcullis.example/audit/node-1}). */
    String origin();

    /** The number of entries that can be read (in {@link DurabilityMode#DURABLE} mode: that are durable). */
    long size();

    /** The most recent signed checkpoint, if the log has ever signed one. */
    Optional<SignedCheckpoint> latestCheckpoint();

    /**
     * Up to {@code maxCount} entries from {@code fromIndex}, in order; fewer (or none) at the end
     * of the log.
     */
    List<LogEntry> read(long fromIndex, int maxCount);

    /**
     * Up to {@code maxCount} entries at or after {@code fromIndex} whose events match
     * {@code filter}, in log order. Implementations use their indexes to skip what cannot match.
     */
    default List<LogEntry> query(EventFilter filter, long fromIndex, int maxCount) {
        List<LogEntry> found = new java.util.ArrayList<>();
        long position = fromIndex;
        long end = size();
        while (position < end && found.size() < maxCount) {
            List<LogEntry> chunk = read(position, (int) Math.min(1024, end - position));
            if (chunk.isEmpty()) {
                break;
            }
            for (LogEntry entry : chunk) {
                if (found.size() < maxCount && filter.matches(entry.event())) {
                    found.add(entry);
                }
            }
            position += chunk.size();
        }
        return found;
    }

    /** A cursor over the entries from {@code fromIndex} on, waiting for new ones at the end. */
    EntryCursor follow(long fromIndex);

    /** The RFC 6962 root hash of the first {@code treeSize} entries ({@code treeSize <= size()}). */
    byte[] rootHash(long treeSize);

    /** Proves that entry {@code index} is in the tree of {@code treeSize} entries. */
    InclusionProof inclusionProof(long index, long treeSize);

    /** Proves that the tree of {@code toSize} entries extends the tree of {@code fromSize} entries. */
    ConsistencyProof consistencyProof(long fromSize, long toSize);

    @Override
    void close();
}
