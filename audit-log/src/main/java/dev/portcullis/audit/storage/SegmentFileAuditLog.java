package dev.portcullis.audit.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.DurabilityMode;
import dev.portcullis.audit.EntryCursor;
import dev.portcullis.audit.EventFilter;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.internal.CheckpointKeeper;
import dev.portcullis.audit.storage.internal.EventTimes;
import dev.portcullis.audit.storage.internal.FollowingCursor;
import dev.portcullis.audit.storage.internal.GroupCommitQueue;
import dev.portcullis.audit.storage.internal.GroupCommitWriter;
import dev.portcullis.audit.storage.internal.LastSegmentRecovery;
import dev.portcullis.audit.storage.internal.LogFiles;
import dev.portcullis.audit.storage.internal.LogHead;
import dev.portcullis.audit.storage.internal.LogProofs;
import dev.portcullis.audit.storage.internal.PreparedEvent;
import dev.portcullis.audit.storage.internal.RecordFormat;
import dev.portcullis.audit.storage.internal.SegmentScanner;
import dev.portcullis.audit.tree.CompactRange;
import dev.portcullis.audit.tree.MerkleMath;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.ConsistencyProof;
import dev.portcullis.audit.verify.Hashes;
import dev.portcullis.audit.verify.InclusionProof;

/**
 * The embedded audit log: append-only segment files in one directory, written by one thread that
 * commits every waiting append with one {@code fdatasync} (group commit).
 *
 * <p>Durability contract ({@link DurabilityMode#DURABLE}, the default): {@link #append} MUST NOT
 * return before its record and every record before it are flushed to stable storage; when a write
 * or flush fails, the failing appends throw and the log fails closed (every later append throws)
 * until it is reopened. Recovery at open drops only a torn tail: records after the last complete
 * batch that a write cut short left, none of them in the index or covered by the latest signed
 * checkpoint, so that no append ever acknowledged them ({@link LastSegmentRecovery}); it refuses
 * to open, and writes nothing, when any segment is damaged otherwise or when entries the index or
 * a signed checkpoint covers are missing.
 *
 * <p>Segments are preallocated: the writer fills the space ahead of its position with zeros
 * ({@link Builder#preallocationBytes}) before records are written there, so that the
 * {@code fdatasync} of a group flushes data only and does not also commit a new file size to the
 * file system's journal. The records end at the first all-zero record header. A sealed segment,
 * and the last one at a clean close, are cut back to their records, so that only a live or crashed
 * log has a zero tail, and only in its last segment.
 *
 * <p>One process writes a directory at a time (an exclusive file lock); readers in other
 * processes use {@link SegmentFileLogReader}. See {@link LogFiles} for the layout and
 * {@link RecordFormat} for the bytes.
 */
public final class SegmentFileAuditLog implements AuditLog {

    private static final System.Logger LOG = System.getLogger(SegmentFileAuditLog.class.getName());

    /** Segments are sealed and a new one started past this size (default 64 MiB). */
    public static final long DEFAULT_SEGMENT_MAX_BYTES = 64L * 1024 * 1024;
    /** ... or when the current segment was started this long ago (default 1 hour). */
    public static final Duration DEFAULT_SEGMENT_MAX_AGE = Duration.ofHours(1);
    /** A checkpoint is signed this often while entries are added (default 1 s). */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    /** In {@link DurabilityMode#ASYNC} mode, the longest an acknowledged event waits for its flush (default 200 ms). */
    public static final Duration DEFAULT_ASYNC_FLUSH_INTERVAL = Duration.ofMillis(200);
    /**
     * In {@link DurabilityMode#ASYNC} mode, how long the writer lets appends collect after each
     * group before it writes the next (default 1 ms; 0: none). A group per window instead of one
     * per append, and one wake-up of the writer and of the log's followers per group
     * ({@code GroupCommitWriter}); what a killed process can lose grows by at most the window.
     */
    public static final Duration DEFAULT_ASYNC_GROUP_WINDOW = Duration.ofMillis(1);
    /** Appends waiting for the writer beyond this many block their callers (back-pressure). */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
    /**
     * The window of zeros kept ahead of the records (default 8 MiB, at most the segment size),
     * topped up a chunk per group ({@link #PREALLOCATION_CHUNK_BYTES}) when half of it is used:
     * the file size changes, and the journal commits it, a few times per window instead of at
     * every flush; a larger window leaves a longer zero tail after a crash.
     */
    public static final long DEFAULT_PREALLOCATION_BYTES = 8L * 1024 * 1024;
    /**
     * The zeros one group adds at most to the window ahead (unless its own records need more):
     * 256 KiB, about 0.7 ms of {@code pwrite} under load, so that no append waits for a whole
     * window of zeros (see {@link #preallocate}).
     */
    static final long PREALLOCATION_CHUNK_BYTES = 256 * 1024;

    private final Path dir;
    private final String origin;
    private final DurabilityMode durability;
    private final Clock clock;
    private final AuditEventJson json;
    private final long segmentMaxBytes;
    private final long preallocationBytes;
    private final Duration segmentMaxAge;
    private final Duration asyncFlushInterval;
    private final LogFiles files;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private final GroupCommitWriter writer;
    private final CheckpointKeeper checkpoints;
    /** The size readers see, and the tree edge as of the last flush: what checkpoints are signed over. */
    private final LogHead head;
    private final LogProofs proofs;

    // Writer-thread state.
    private FileChannel segment;
    private long segmentFirst;
    private long segmentPosition;
    /** Where the zeros written ahead of {@link #segmentPosition} end (the segment's file size). */
    private long segmentAllocated;
    private Instant segmentStarted;
    private final CompactRange range;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer writeBuffer = ByteBuffer.allocate(1 << 20);
    /** Read-only zeros for preallocation. */
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();
    private long lastForceNanos = System.nanoTime();
    /** Writes each group's leaf hashes, tiles and index entries; its buffers are reused from group to group. */
    private DerivedWriter derived;

    private SegmentFileAuditLog(Builder b) throws IOException {
        this.dir = b.dir;
        this.origin = b.origin;
        this.durability = b.durability;
        this.clock = b.clock;
        this.json = new AuditEventJson(b.maxEventBytes);
        this.segmentMaxBytes = b.segmentMaxBytes;
        this.preallocationBytes = Math.min(b.preallocationBytes, b.segmentMaxBytes);
        this.segmentMaxAge = b.segmentMaxAge;
        this.asyncFlushInterval = b.asyncFlushInterval;
        this.writer = new GroupCommitWriter(origin, b.queueCapacity,
                durability == DurabilityMode.DURABLE ? -1 : asyncFlushInterval.toNanos(), Integer.MAX_VALUE,
                durability == DurabilityMode.DURABLE ? 0 : b.asyncGroupWindow.toNanos(), new Writes());
        this.checkpoints = new CheckpointKeeper(origin, b.signer, this::publishedTree, () -> {
            if (durability == DurabilityMode.ASYNC && !writer.isClosed()) {
                flush();
            }
        }, this::storeCheckpoint);

        Files.createDirectories(dir);
        Path originFile = dir.resolve("origin");
        // Read before anything is created or locked: a log whose name cannot be read is refused as it is.
        String existing = LogFiles.readText(originFile, LogFiles.ORIGIN_FILE);
        if (existing == null) {
            if (!LogFiles.listSegments(dir).isEmpty()) {
                throw new AuditException("log directory " + dir + " has segments but no origin file; it is damaged");
            }
            LogFiles.writeAtomically(originFile, origin + "\n");
        } else if (!existing.strip().equals(origin)) {
            throw new AuditException("log directory " + dir + " holds the log '" + existing.strip() + "', not '" + origin
                    + "'; use its origin or another directory");
        }
        this.lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            lockChannel.close();
            throw new AuditException("log directory " + dir + " is already open for writing by another log instance or process");
        }
        this.lock = acquired;
        LogFiles opened = null;
        try {
            opened = LogFiles.openWritable(dir);
            this.files = opened;
            this.range = recover();
        } catch (IOException | RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
        this.derived = new DerivedWriter(range);
        this.head = new LogHead(range);
        this.proofs = LogProofs.over(head::size, files);
        writer.start("audit-writer " + origin);
        checkpoints.schedule("audit-checkpointer " + origin, b.checkpointInterval, writer::hasFailed, LOG);
    }

    /** What a checkpoint signed now covers (read by the checkpoint keeper, never before the head is set). */
    private CompactRange publishedTree() {
        return head.tree();
    }

    /** A builder for the log in {@code dir} named {@code origin}, signing checkpoints with {@code signer}. */
    public static Builder builder(Path dir, String origin, CheckpointSigner signer) {
        return new Builder(dir, origin, signer);
    }

    // --- recovery ---------------------------------------------------------------------------------

    /**
     * Recovers the log at open. Everything that decides whether the log may open is read first,
     * without writing anything (the latest checkpoint, the index's length, a scan of every segment
     * whose derived data is rebuilt): a log that refuses to open is left byte for byte as it was,
     * with its evidence. Only then are the derived data rebuilt and a torn tail cut off.
     */
    private CompactRange recover() throws IOException {
        List<Long> segments = LogFiles.listSegments(dir);
        Path segmentsDir = LogFiles.segmentsDir(dir);
        SignedCheckpoint latest = readLatestCheckpoint();
        long signedSize = latest == null ? 0 : latest.checkpoint().size();
        long indexed = files.indexedCount();
        if (segments.isEmpty()) {
            if (signedSize > 0 || indexed > 0) {
                throw new AuditException("the log in " + dir + " has no segments but its index lists " + indexed
                        + " entries and its latest signed checkpoint covers " + signedSize
                        + ": acknowledged entries are missing; refusing to open; run 'portcullis audit verify'");
            }
            files.truncateDerived(0);
            startSegment(0);
            checkLatestCheckpoint(latest, new CompactRange());
            return new CompactRange();
        }
        for (int i = 1; i < segments.size(); i++) {
            if (segments.get(i) <= segments.get(i - 1)) {
                throw new AuditException("segments of " + dir + " are out of order");
            }
        }
        long lastFirst = segments.get(segments.size() - 1);
        // Derived data is flushed when a segment is sealed, so it is complete up to the last
        // segment's first index unless a file was lost; rebuild from the segment that holds the
        // first entry whose derived data may be missing.
        long derived = Math.min(indexed, files.storedNodes(0));
        long rebuildFrom = lastFirst;
        if (derived < lastFirst) {
            Long floor = null;
            for (long first : segments) {
                if (first <= derived) {
                    floor = first;
                }
            }
            rebuildFrom = floor == null ? segments.get(0) : floor;
        }
        if (segments.get(0) != 0) {
            throw new AuditException("the first segment of " + dir + " starts at index " + segments.get(0)
                    + ", not 0: segments are missing");
        }
        List<Long> rebuilt = segments.subList(segments.indexOf(rebuildFrom), segments.size());
        LastSegmentRecovery plan = planRecovery(rebuilt, indexed, signedSize);

        CompactRange edge = CompactRange.of(rebuildFrom, files);
        DerivedWriter derivedWriter = new DerivedWriter(edge);
        for (long first : rebuilt) {
            Path path = segmentsDir.resolve(RecordFormat.segmentFileName(first));
            List<Object[]> pending = new ArrayList<>();
            SegmentScanner.Result result = SegmentScanner.scan(path, first, (offset, index, flags, payload) -> {
                pending.add(new Object[] {offset, payload});
                if ((flags & RecordFormat.END_OF_BATCH) != 0) {
                    for (Object[] p : pending) {
                        derivedWriter.add((Long) p[0], (byte[]) p[1]);
                    }
                    pending.clear();
                }
                return true;
            });
            if (first == lastFirst) {
                recoverLastSegment(path, first, result, plan);
            }
        }
        derivedWriter.flush();
        // Derived data beyond the recovered entries can only come from the batch just cut off: never
        // acknowledged (DURABLE: the plan refused to open if the index listed more), or, in ASYNC
        // mode, acknowledged before its flush and lost with the machine.
        files.truncateDerived(plan.recoveredSize());
        files.forceDerived();
        checkLatestCheckpoint(latest, edge);
        return edge;
    }

    /**
     * Scans the segments whose derived data recovery rebuilds, reading only: a sealed segment
     * must be intact and continue the one before it; the last one is decided by
     * {@link LastSegmentRecovery}. Why a scan of its own rather than deciding during the rebuild:
     * the rebuild writes derived data as it goes, and a log that refuses to open must be left
     * untouched (the second read of the segment comes from the page cache).
     */
    private LastSegmentRecovery planRecovery(List<Long> rebuilt, long indexed, long signedSize) throws IOException {
        Path segmentsDir = LogFiles.segmentsDir(dir);
        long expected = rebuilt.get(0);
        for (int i = 0; i < rebuilt.size(); i++) {
            long first = rebuilt.get(i);
            if (first != expected) {
                throw new AuditException("segment " + RecordFormat.segmentFileName(first) + " of " + dir
                        + " should start at index " + expected + ": entries are missing or duplicated; run 'portcullis audit verify'");
            }
            Path path = segmentsDir.resolve(RecordFormat.segmentFileName(first));
            SegmentScanner.Result result = SegmentScanner.scan(path, first, null);
            if (i == rebuilt.size() - 1) {
                return LastSegmentRecovery.decide(dir, path, result, indexed, signedSize,
                        durability == DurabilityMode.ASYNC);
            }
            if (result.problem() != null || result.committedRecords() != result.records()) {
                throw new AuditException("sealed segment " + path + " is damaged at offset " + result.problemOffset()
                        + " (" + (result.detail() == null ? "an incomplete batch" : result.detail())
                        + "); refusing to open; run 'portcullis audit verify'");
            }
            expected = first + result.records();
        }
        throw new IllegalArgumentException("no segments to recover");
    }

    /** Applies the plan to the last segment, which the rebuild has just scanned again. */
    private void recoverLastSegment(Path path, long first, SegmentScanner.Result result, LastSegmentRecovery plan)
            throws IOException {
        if (result.committedEndOffset() != plan.keptBytes()) {
            // The directory is locked: only another program writing into it can get here.
            throw new AuditException("segment " + path + " changed while it was being recovered; refusing to open");
        }
        segment = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        switch (plan.action()) {
            case START_AGAIN -> {
                // The header never reached the disk: nothing after it did either.
                segment.truncate(0);
                LogFiles.writeFully(segment, RecordFormat.segmentHeader(first), 0);
                segmentPosition = RecordFormat.SEGMENT_HEADER_SIZE;
                segmentAllocated = segmentPosition;
            }
            case KEEP -> {
                // The zero tail, checked by the scan, stays preallocated.
                segmentPosition = plan.keptBytes();
                segmentAllocated = Math.max(segmentPosition, result.fileSize());
            }
            case CUT_TORN_TAIL -> {
                LOG.log(System.Logger.Level.WARNING, "audit log {0}: dropping a torn tail after offset {1} of {2} ({3}"
                        + " complete records of an unacknowledged batch{4})", origin, plan.keptBytes(), path,
                        result.records() - result.committedRecords(),
                        result.problem() == null ? "" : ", then " + result.detail());
                // As without preallocation: cut the torn tail off; the next group writes zeros ahead again.
                segment.truncate(plan.keptBytes());
                segmentPosition = plan.keptBytes();
                segmentAllocated = segmentPosition;
            }
        }
        segment.force(true);
        segmentFirst = first;
        segmentStarted = clock.instant();
    }

    /** The latest signed checkpoint of this log, or null; read (not yet checked against the entries) before recovery writes. */
    private SignedCheckpoint readLatestCheckpoint() {
        String text = LogFiles.readText(dir.resolve("checkpoint"), LogFiles.LATEST_CHECKPOINT_FILE);
        if (text == null) {
            return null;
        }
        SignedCheckpoint signed = SignedCheckpoint.parse(text);
        if (!signed.checkpoint().origin().equals(origin)) {
            throw new AuditException("the latest checkpoint in " + dir + " is for log '" + signed.checkpoint().origin() + "'");
        }
        return signed;
    }

    /** Checks that the recovered entries hash to the latest checkpoint's root, and resumes signing after it. */
    private void checkLatestCheckpoint(SignedCheckpoint signed, CompactRange edge) {
        if (signed == null) {
            return;
        }
        Checkpoint cp = signed.checkpoint();
        byte[] root = cp.size() == edge.size() ? edge.rootHash() : MerkleMath.rootHash(cp.size(), files);
        if (!java.security.MessageDigest.isEqual(root, cp.rootHash())) {
            throw new AuditException("the first " + cp.size() + " entries in " + dir + " hash to "
                    + Hashes.hex(root) + " but the latest signed checkpoint says " + Hashes.hex(cp.rootHash())
                    + ": the log was changed; refusing to open; run 'portcullis audit verify'");
        }
        checkpoints.restore(signed);
    }

    /**
     * Writes the derived data (leaf hashes, tiles, index) for records, in batches, at their
     * positions: recovery rewrites the last segment's derived data in place (identical bytes where
     * it was intact), so that readers in other processes never see the log shrink.
     */
    private final class DerivedWriter {
        private final CompactRange edge;
        private final ByteBuffer[] tiles = new ByteBuffer[64 / LogFiles.TILE_HEIGHT];
        private final long[] tileStart = new long[64 / LogFiles.TILE_HEIGHT];
        private ByteBuffer index = ByteBuffer.allocate(64 * 1024);
        private long indexStart;
        /** Collects the stored levels' nodes; one instance, not a new lambda per entry. */
        private final CompactRange.NodeListener tileCollector = this::collect;

        DerivedWriter(CompactRange edge) {
            this.edge = edge;
            this.indexStart = edge.size();
            for (int i = 0; i < tiles.length; i++) {
                tiles[i] = ByteBuffer.allocate(i == 0 ? 128 * 1024 : 4 * 1024);
                tileStart[i] = -1;
            }
        }

        void add(long offset, byte[] payload) throws IOException {
            addHashed(offset, Rfc6962.leafHash(payload), EventTimes.millis(payload));
        }

        void addHashed(long offset, byte[] leafHash, long timeMillis) throws IOException {
            edge.append(leafHash, tileCollector);
            index = ensure(index, RecordFormat.INDEX_ENTRY_SIZE);
            index.putLong(offset).putLong(timeMillis);
            if (index.position() >= 60 * 1024) {
                flush();
            }
        }

        private void collect(int level, long nodeIndex, byte[] hash) {
            if (level % LogFiles.TILE_HEIGHT == 0) {
                int t = level / LogFiles.TILE_HEIGHT;
                if (tileStart[t] < 0) {
                    tileStart[t] = nodeIndex;
                }
                tiles[t] = ensure(tiles[t], hash.length);
                tiles[t].put(hash);
            }
        }

        /** Tiles before leaves before index: a reader that sees an index entry finds its hashes. */
        void flush() throws IOException {
            for (int t = tiles.length - 1; t >= 0; t--) {
                if (tiles[t].position() > 0) {
                    int count = tiles[t].position() / Rfc6962.HASH_SIZE;
                    files.writeNodes(t * LogFiles.TILE_HEIGHT, tileStart[t], tiles[t].flip());
                    tiles[t].clear();
                    tileStart[t] += count;
                }
            }
            if (index.position() > 0) {
                int count = index.position() / RecordFormat.INDEX_ENTRY_SIZE;
                files.writeIndex(indexStart, index.flip());
                index.clear();
                indexStart += count;
            }
        }

        private ByteBuffer ensure(ByteBuffer buffer, int more) {
            if (buffer.remaining() >= more) {
                return buffer;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
            return bigger.put(buffer.flip());
        }
    }

    private void startSegment(long first) throws IOException {
        Path path = LogFiles.segmentsDir(dir).resolve(RecordFormat.segmentFileName(first));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        LogFiles.writeFully(channel, RecordFormat.segmentHeader(first), 0);
        segment = channel;
        segmentFirst = first;
        segmentPosition = RecordFormat.SEGMENT_HEADER_SIZE;
        segmentAllocated = segmentPosition;
        if (preallocationBytes > 0) {
            writeZerosTo(Math.min(PREALLOCATION_CHUNK_BYTES, preallocationBytes)); // the window grows per group
        }
        // One flush for the header, the zeros and the new size.
        channel.force(true);
        LogFiles.forceDirectory(LogFiles.segmentsDir(dir));
        segmentStarted = clock.instant();
        files.addSegment(first, path);
    }

    /**
     * Makes sure zeros are written up to {@code end}, the end of the group about to be written,
     * and keeps a window of zeros ahead of the records: when less than half of
     * {@code preallocationBytes} is left ahead, this group adds one chunk (at least
     * {@link #PREALLOCATION_CHUNK_BYTES}, at least twice its own records, so that the window
     * outgrows even large groups), until the window is full again or the segment reaches its
     * roll-over size. The zeros are not flushed here: the next {@code fdatasync} flushes them with
     * the records and commits the new size.
     *
     * <p>Why a chunk per group, not the whole window at once: writing 8 MiB of zeros and the flush
     * that carried them held every durable append for ~28 ms every 8 MiB of records (at 5 000
     * appends/s, every ~3 s), which was the durable check's p99 (docs/benchmarks.md, authz run 39).
     * Why zeros at all, not the length: a sparse or fallocated (unwritten) extent still needs a
     * journal commit when it is first written (measured: no faster than a growing file), and
     * without a window every flush commits a new file size (audit, "Preallocated segments").
     */
    private void preallocate(long end) throws IOException {
        if (preallocationBytes == 0 || segmentAllocated - end >= preallocationBytes / 2) {
            return;
        }
        long chunk = Math.min(preallocationBytes, Math.max(PREALLOCATION_CHUNK_BYTES, 2 * (end - segmentPosition)));
        long window = Math.min(end + preallocationBytes, segmentMaxBytes);
        long target = Math.max(end, Math.min(window, Math.max(segmentAllocated, end) + chunk));
        if (target > segmentAllocated) {
            writeZerosTo(target);
        }
    }

    private void writeZerosTo(long target) throws IOException {
        long position = segmentAllocated;
        while (position < target) {
            ByteBuffer chunk = zeros.duplicate().clear();
            chunk.limit((int) Math.min(chunk.capacity(), target - position));
            LogFiles.writeFully(segment, chunk, position);
            position += chunk.limit();
        }
        segmentAllocated = Math.max(segmentAllocated, target);
    }

    /** Cuts the segment back to its records and flushes it: a sealed segment has no zero tail. */
    private void sealSegment() throws IOException {
        if (segmentAllocated > segmentPosition) {
            segment.truncate(segmentPosition);
            segmentAllocated = segmentPosition;
        }
        segment.force(false);
    }

    // --- appends ----------------------------------------------------------------------------------

    @Override
    public void append(AuditEvent event) {
        Objects.requireNonNull(event, "event cannot be null");
        submit(List.of(PreparedEvent.prepare(json, event)));
    }

    @Override
    public void appendAll(List<AuditEvent> events) {
        Objects.requireNonNull(events, "events cannot be null");
        if (events.isEmpty()) {
            return;
        }
        submit(PreparedEvent.prepareAll(json, events));
    }

    /** Queues events canonicalized and hashed on the caller's thread (many callers do that in parallel). */
    private void submit(List<PreparedEvent> prepared) {
        GroupCommitQueue.Request request = writer.push(prepared, durability == DurabilityMode.DURABLE);
        if (durability == DurabilityMode.DURABLE) {
            request.await();
        }
    }

    /** Waits until everything appended so far is flushed (a no-op wait in DURABLE mode). */
    public void flush() {
        writer.push(List.of(), true).await();
    }

    // --- the writer thread ------------------------------------------------------------------------

    /**
     * The writer thread's side: every group of waiting appends written with one {@code write}
     * and, in DURABLE mode or when asked, one {@code fdatasync}; a failure closes the log.
     */
    private final class Writes implements GroupCommitWriter.Sink {
        @Override
        public void write(List<GroupCommitQueue.Request> group) throws IOException {
            SegmentFileAuditLog.this.write(group);
        }

        @Override
        public AuditException failed(Exception cause) {
            return new AuditException("writing to " + dir + " failed: " + cause.getMessage(), cause);
        }
    }

    private void write(List<GroupCommitQueue.Request> work) throws IOException {
        int count = 0;
        int bytes = 0;
        boolean flushRequested = false;
        for (GroupCommitQueue.Request b : work) {
            count += b.events().size();
            flushRequested |= b.events().isEmpty();
            for (PreparedEvent p : b.events()) {
                bytes += RecordFormat.recordSize(p.canonicalLength());
            }
        }
        if (count > 0) {
            maybeRoll(bytes);
            if (writeBuffer.capacity() < bytes) {
                writeBuffer = ByteBuffer.allocate(Math.max(bytes, writeBuffer.capacity() * 2));
            }
            ByteBuffer out = writeBuffer.clear();
            long index = head.size();
            for (GroupCommitQueue.Request b : work) {
                for (int i = 0; i < b.events().size(); i++) {
                    byte flags = i == b.events().size() - 1 ? RecordFormat.END_OF_BATCH : 0;
                    PreparedEvent p = b.events().get(i);
                    p.writeRecord(out, index++, flags, crc);
                }
            }
            out.flip();
            preallocate(segmentPosition + bytes);
            LogFiles.writeFully(segment, out, segmentPosition);
            segmentPosition += bytes;
        }
        boolean force = durability == DurabilityMode.DURABLE
                || flushRequested
                || System.nanoTime() - lastForceNanos >= asyncFlushInterval.toNanos();
        if (force && (count > 0 || head.tree().size() < head.size())) {
            segment.force(false);
            lastForceNanos = System.nanoTime();
        }
        if (count > 0) {
            long position = segmentPosition - bytes;
            for (GroupCommitQueue.Request b : work) {
                for (PreparedEvent p : b.events()) {
                    derived.addHashed(position, p.leafHash(), p.timeMillis());
                    position += RecordFormat.recordSize(p.canonicalLength());
                }
            }
            derived.flush();
            head.setSize(head.size() + count);
        }
        if (force) {
            head.publish(range);
        }
        if (count > 0) {
            head.wakeFollowers();
        }
    }

    private void maybeRoll(int bytes) throws IOException {
        boolean hasRecords = segmentPosition > RecordFormat.SEGMENT_HEADER_SIZE;
        boolean full = segmentPosition + bytes > segmentMaxBytes;
        boolean old = !clock.instant().isBefore(segmentStarted.plus(segmentMaxAge));
        if (!hasRecords || !(full || old)) {
            return;
        }
        // Seal: the segment and everything derived from it are flushed before the next one starts,
        // so recovery only ever rebuilds the last segment.
        sealSegment();
        files.forceDerived();
        head.publish(range);
        segment.close();
        startSegment(head.size());
    }

    // --- checkpoints ------------------------------------------------------------------------------

    /** In {@link DurabilityMode#ASYNC} mode, flushes first (unless closed): a checkpoint covers only durable entries. */
    @Override
    public SignedCheckpoint checkpoint() {
        return checkpoints.checkpoint();
    }

    /** Appends the note to the checkpoint history, then replaces the latest checkpoint file. */
    private void storeCheckpoint(SignedCheckpoint signed) {
        try {
            String note = signed.format();
            try (FileChannel history = FileChannel.open(dir.resolve("checkpoints"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                LogFiles.writeFully(history, ByteBuffer.wrap(note.getBytes(StandardCharsets.UTF_8)), history.size());
                history.force(false);
            }
            LogFiles.writeAtomically(dir.resolve("checkpoint"), note);
        } catch (IOException e) {
            throw new AuditException("cannot persist the checkpoint of " + origin + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<SignedCheckpoint> latestCheckpoint() {
        return checkpoints.latest();
    }

    // --- reads ------------------------------------------------------------------------------------

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public long size() {
        return head.size();
    }

    public DurabilityMode durability() {
        return durability;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public List<LogEntry> read(long fromIndex, int maxCount) {
        if (fromIndex < 0 || maxCount < 0) {
            throw new IllegalArgumentException("fromIndex and maxCount cannot be negative");
        }
        long available = head.size() - fromIndex;
        if (available <= 0) {
            return List.of();
        }
        return files.read(fromIndex, (int) Math.min(maxCount, available));
    }

    @Override
    public List<LogEntry> query(EventFilter filter, long fromIndex, int maxCount) {
        return TimeIndexedQuery.run(files, head.size(), filter, fromIndex, maxCount);
    }

    /**
     * The first entry, in log order, whose event time is one of {@code times} (to the millisecond)
     * and that {@code matches} accepts. It reads the event times in the index (16 bytes an entry)
     * and only the entries at those times: how to find whether an event is already in the log
     * without an index of event ids, which the log does not keep ({@code audit import} looks for
     * the ids it is about to append). An entry at another time is not found.
     */
    public Optional<LogEntry> findAt(Set<Instant> times, Predicate<LogEntry> matches) {
        Objects.requireNonNull(matches, "matches cannot be null");
        Set<Long> millis = new HashSet<>();
        for (Instant time : times) {
            millis.add(time.toEpochMilli());
        }
        return TimeIndexedQuery.findAt(files, head.size(), millis, matches);
    }

    @Override
    public EntryCursor follow(long fromIndex) {
        return new FollowingCursor(this, fromIndex, head.growthWaiter(writer::isClosed));
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

    // --- close ------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (!writer.stop()) {
            return;
        }
        checkpoints.stopSchedule();
        try {
            if (!writer.hasFailed()) {
                sealSegment();
                head.publish(range);
                files.forceDerived();
                if (checkpoints.isBehind(head.size())) {
                    checkpoint();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "audit log " + origin + ": closing cleanly failed: " + e.getMessage());
        } finally {
            head.wakeFollowers();
            try {
                segment.close();
            } catch (IOException ignored) {
                // Everything was flushed above, or the log had already failed.
            }
            files.close();
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException ignored) {
                // The lock goes with the process anyway.
            }
        }
    }

    @Override
    public String toString() {
        return "SegmentFileAuditLog[" + origin + " in " + dir + ", " + durability + ", size " + head.size() + "]";
    }

    /** Builds a {@link SegmentFileAuditLog}; {@link #open()} validates every setting. */
    public static final class Builder {
        private final Path dir;
        private final String origin;
        private final CheckpointSigner signer;
        private DurabilityMode durability = DurabilityMode.DURABLE;
        private Clock clock = Clock.systemUTC();
        private int maxEventBytes = AuditEventJson.DEFAULT_MAX_EVENT_BYTES;
        private long segmentMaxBytes = DEFAULT_SEGMENT_MAX_BYTES;
        private long preallocationBytes = DEFAULT_PREALLOCATION_BYTES;
        private Duration segmentMaxAge = DEFAULT_SEGMENT_MAX_AGE;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private Duration asyncFlushInterval = DEFAULT_ASYNC_FLUSH_INTERVAL;
        private Duration asyncGroupWindow = DEFAULT_ASYNC_GROUP_WINDOW;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;

        private Builder(Path dir, String origin, CheckpointSigner signer) {
            this.dir = Objects.requireNonNull(dir, "dir cannot be null");
            this.origin = Objects.requireNonNull(origin, "origin cannot be null");
            this.signer = Objects.requireNonNull(signer, "signer cannot be null");
        }

        public Builder durability(DurabilityMode mode) {
            this.durability = Objects.requireNonNull(mode, "durability cannot be null");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        /** The largest canonical event accepted, in bytes (default {@value AuditEventJson#DEFAULT_MAX_EVENT_BYTES}). */
        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = bytes;
            return this;
        }

        public Builder segmentMaxBytes(long bytes) {
            this.segmentMaxBytes = bytes;
            return this;
        }

        /**
         * How many bytes of zeros to keep ahead of the records (default
         * {@link #DEFAULT_PREALLOCATION_BYTES}, capped at the segment size); 0 turns preallocation
         * off and the segment grows with every group, for file systems where writing zeros ahead
         * buys nothing (copy-on-write ones such as btrfs or ZFS).
         */
        public Builder preallocationBytes(long bytes) {
            this.preallocationBytes = bytes;
            return this;
        }

        public Builder segmentMaxAge(Duration age) {
            this.segmentMaxAge = Objects.requireNonNull(age, "segmentMaxAge cannot be null");
            return this;
        }

        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = Objects.requireNonNull(interval, "checkpointInterval cannot be null");
            return this;
        }

        public Builder asyncFlushInterval(Duration interval) {
            this.asyncFlushInterval = Objects.requireNonNull(interval, "asyncFlushInterval cannot be null");
            return this;
        }

        public Builder asyncGroupWindow(Duration window) {
            this.asyncGroupWindow = Objects.requireNonNull(window, "asyncGroupWindow cannot be null");
            return this;
        }

        public Builder queueCapacity(int capacity) {
            this.queueCapacity = capacity;
            return this;
        }

        /**
         * Validates the settings, recovers the directory (creating it if needed) and starts the
         * writer.
         *
         * @throws IllegalArgumentException naming a bad setting and its allowed range
         * @throws AuditException if the directory cannot be used or recovered
         */
        public SegmentFileAuditLog open() {
            try {
                dev.portcullis.audit.checkpoint.Checkpoint probe =
                        new dev.portcullis.audit.checkpoint.Checkpoint(origin, 0, Rfc6962.emptyRoot());
                Objects.requireNonNull(probe);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("origin '" + origin + "' cannot be a checkpoint origin line: " + e.getMessage());
            }
            if (maxEventBytes < 256 || maxEventBytes > RecordFormat.MAX_PAYLOAD) {
                throw new IllegalArgumentException("maxEventBytes must be from 256 to " + RecordFormat.MAX_PAYLOAD
                        + ", was " + maxEventBytes);
            }
            if (segmentMaxBytes < 64 * 1024 || segmentMaxBytes > (1L << 40)) {
                throw new IllegalArgumentException("segmentMaxBytes must be from 64 KiB to 1 TiB, was " + segmentMaxBytes);
            }
            if (preallocationBytes != 0 && (preallocationBytes < 64 * 1024 || preallocationBytes > (1L << 40))) {
                throw new IllegalArgumentException("preallocationBytes must be 0 (off) or from 64 KiB to 1 TiB, was "
                        + preallocationBytes);
            }
            if (segmentMaxAge.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("segmentMaxAge must be at least 1 s, was " + segmentMaxAge);
            }
            CheckpointKeeper.checkInterval(checkpointInterval);
            if (asyncFlushInterval.compareTo(Duration.ofMillis(1)) < 0 || asyncFlushInterval.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("asyncFlushInterval must be from 1 ms to 1 min, was " + asyncFlushInterval);
            }
            if (asyncGroupWindow.isNegative() || asyncGroupWindow.compareTo(Duration.ofMillis(100)) > 0
                    || asyncGroupWindow.compareTo(asyncFlushInterval) > 0) {
                throw new IllegalArgumentException("asyncGroupWindow must be from 0 to 100 ms and at most asyncFlushInterval ("
                        + asyncFlushInterval.toMillis() + " ms), was " + asyncGroupWindow);
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be positive, was " + queueCapacity);
            }
            try {
                return new SegmentFileAuditLog(this);
            } catch (IOException e) {
                throw new AuditException("cannot open the audit log in " + dir + ": " + e, e);
            }
        }
    }

    static Map.Entry<Long, Path> segmentOf(LogFiles files, long index) {
        return files.segments().floorEntry(index);
    }
}
