package dev.portcullis.audit.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.EntryCursor;
import dev.portcullis.audit.EventFilter;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.storage.internal.FollowingCursor;
import dev.portcullis.audit.storage.internal.LogFiles;
import dev.portcullis.audit.storage.internal.LogProofs;
import dev.portcullis.audit.verify.ConsistencyProof;
import dev.portcullis.audit.verify.InclusionProof;

/**
 * Reads a segment log directory without writing it, possibly while another process appends to
 * it (what {@code portcullis audit query/tail/proof} do). It never changes a file, takes no lock
 * and does no recovery: it trusts the index for positions and reads only entries the writer has
 * indexed, which it does only after their records are written. To check that the log is intact,
 * use {@link dev.portcullis.audit.verify.LogVerifier} instead.
 */
public final class SegmentFileLogReader implements AuditLogReader {

    /** How often {@link #follow} looks for new entries written by another process. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);

    private final Path dir;
    private final String origin;
    private final LogFiles files;
    private final Duration pollInterval;
    private final LogProofs proofs;
    private volatile long lastIndexed = -1;

    private SegmentFileLogReader(Path dir, Duration pollInterval) throws IOException {
        this.dir = dir;
        this.pollInterval = pollInterval;
        String name = LogFiles.readText(dir.resolve("origin"), LogFiles.ORIGIN_FILE);
        if (name == null || !Files.isDirectory(LogFiles.segmentsDir(dir))) {
            throw new AuditException(dir + " is not an audit log directory (no origin file or segments)");
        }
        this.origin = name.strip();
        this.files = LogFiles.openReadOnly(dir);
        this.proofs = LogProofs.over(this::size, files);
    }

    /**
     * Opens the log in {@code dir} for reading.
     *
     * @throws AuditException if {@code dir} is not a log directory
     */
    public static SegmentFileLogReader open(Path dir) {
        return open(dir, DEFAULT_POLL_INTERVAL);
    }

    public static SegmentFileLogReader open(Path dir, Duration pollInterval) {
        Objects.requireNonNull(dir, "dir cannot be null");
        Objects.requireNonNull(pollInterval, "pollInterval cannot be null");
        try {
            return new SegmentFileLogReader(dir, pollInterval);
        } catch (IOException e) {
            throw new AuditException("cannot open the audit log in " + dir + ": " + e, e);
        }
    }

    /** The origin of the log in {@code dir}, or empty when {@code dir} holds no log yet. */
    public static Optional<String> originOf(Path dir) {
        return Optional.ofNullable(LogFiles.readText(dir.resolve("origin"), LogFiles.ORIGIN_FILE)).map(String::strip);
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public long size() {
        try {
            long indexed = files.indexedCount();
            if (indexed != lastIndexed) {
                // The writer may have started new segments since we last looked.
                refreshSegments();
                lastIndexed = indexed;
            }
            return indexed;
        } catch (IOException e) {
            throw new AuditException("cannot read the index of " + dir + ": " + e.getMessage(), e);
        }
    }

    private void refreshSegments() throws IOException {
        for (long first : LogFiles.listSegments(dir)) {
            if (!files.segments().containsKey(first)) {
                files.addSegment(first, LogFiles.segmentsDir(dir).resolve(String.format("%020d.seg", first)));
            }
        }
    }

    @Override
    public Optional<SignedCheckpoint> latestCheckpoint() {
        String text = LogFiles.readText(dir.resolve("checkpoint"), LogFiles.LATEST_CHECKPOINT_FILE);
        return text == null ? Optional.empty() : Optional.of(SignedCheckpoint.parse(text));
    }

    @Override
    public List<LogEntry> read(long fromIndex, int maxCount) {
        if (fromIndex < 0 || maxCount < 0) {
            throw new IllegalArgumentException("fromIndex and maxCount cannot be negative");
        }
        long available = size() - fromIndex;
        if (available <= 0) {
            return List.of();
        }
        return files.read(fromIndex, (int) Math.min(maxCount, available));
    }

    @Override
    public List<LogEntry> query(EventFilter filter, long fromIndex, int maxCount) {
        return TimeIndexedQuery.run(files, size(), filter, fromIndex, maxCount);
    }

    @Override
    public EntryCursor follow(long fromIndex) {
        return new FollowingCursor(this, fromIndex, (known, timeout) ->
                Thread.sleep(Math.max(1, Math.min(timeout.toMillis(), pollInterval.toMillis()))));
    }

    @Override
    public byte[] rootHash(long treeSize) {
        return proofs.rootHash(treeSize);
    }

    @Override
    public InclusionProof inclusionProof(long index, long treeSize) {
        return proofs.inclusionProof(index, treeSize);
    }

    @Override
    public ConsistencyProof consistencyProof(long fromSize, long toSize) {
        return proofs.consistencyProof(fromSize, toSize);
    }

    /** The log's directory. */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        files.close();
    }
}
