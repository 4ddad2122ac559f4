package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.internal.RecordFormat;
import dev.portcullis.audit.testing.TestEvents;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.VerificationReport;

/**
 * Preallocated segments: the zeros written ahead of the records, what recovery and the verifier
 * make of them after a crash (simulated by copying the directory of an open log, which is what the
 * disk holds if the machine stops at that moment and the page cache reaches it), torn records
 * inside the zero tail, and stray bytes after the end of the records.
 */
class SegmentPreallocationTest {

    static final String ORIGIN = "portcullis.test/audit/prealloc";
    private static final long STEP = 64 * 1024;

    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
    private final CheckpointVerifier trust = new CheckpointVerifier(Set.of(signer.verifierKey()));
    private final AuditEventJson json = new AuditEventJson();

    @TempDir
    Path tmp;

    private SegmentFileAuditLog open(Path dir) {
        return SegmentFileAuditLog.builder(dir, ORIGIN, signer).preallocationBytes(STEP)
                .checkpointInterval(Duration.ofHours(1)).open();
    }

    private VerificationReport verify(Path dir) {
        return new LogVerifier(trust).verify(SegmentFileVerifiableLog.of(dir), null, null);
    }

    private static Path segment(Path dir, long first) {
        return dir.resolve("segments").resolve(RecordFormat.segmentFileName(first));
    }

    /** The end of records 0..count-1 of decision events in segment 0. */
    private long endOfRecords(int count) {
        long end = RecordFormat.SEGMENT_HEADER_SIZE;
        for (int i = 0; i < count; i++) {
            end += RecordFormat.recordSize(json.canonicalBytes(TestEvents.decision(i)).length);
        }
        return end;
    }

    /**
     * Copies an open log's directory the way a crash leaves it: checkpoints and derived files
     * first, segments last, so that the copy never holds a checkpoint or an index entry over
     * entries it lacks. The segments are listed only after the derived files are copied: listed
     * before, a segment the writer started in between (and indexed entries in) would be missing
     * from the copy, which no crash can do (a segment's file is flushed before any entry of it).
     */
    private static void copyAsACrashWould(Path from, Path to) throws IOException {
        Files.createDirectories(to.resolve("segments"));
        Files.createDirectories(to.resolve("tree"));
        List<Path> derived = new ArrayList<>();
        for (String name : List.of("origin", "checkpoints", "checkpoint", "index")) {
            derived.add(from.resolve(name));
        }
        try (Stream<Path> tree = Files.list(from.resolve("tree"))) {
            tree.sorted().forEach(derived::add);
        }
        copy(from, to, derived);
        try (Stream<Path> segments = Files.list(from.resolve("segments"))) {
            copy(from, to, segments.sorted().toList());
        }
    }

    private static void copy(Path from, Path to, List<Path> files) throws IOException {
        for (Path file : files) {
            if (Files.exists(file)) {
                Files.write(to.resolve(from.relativize(file)), Files.readAllBytes(file));
            }
        }
    }

    private static void writeAt(Path file, long position, ByteBuffer bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (bytes.hasRemaining()) {
                position += channel.write(bytes, position);
            }
        }
    }

    private static boolean allZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void anOpenSegmentIsZeroFilledAheadOfItsRecordsAndCutBackToThemAtClose() throws IOException {
        Path dir = tmp.resolve("log");
        Path seg = segment(dir, 0);
        try (SegmentFileAuditLog log = open(dir)) {
            assertThat(Files.size(seg)).as("preallocated when created").isEqualTo(STEP);
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
            byte[] bytes = Files.readAllBytes(seg);
            assertThat(bytes).hasSize((int) STEP);
            assertThat(allZero(bytes, (int) endOfRecords(5))).as("zeros after the records").isTrue();
            assertThat(allZero(bytes, (int) endOfRecords(5) - 1)).as("the last record ends just before").isFalse();
        }
        assertThat(Files.size(seg)).as("cut back to the records at close").isEqualTo(endOfRecords(5));
        assertThat(verify(dir).findings()).isEmpty();
    }

    @Test
    void theSegmentIsExtendedAheadOfItsRecordsAndASealedSegmentHasNoZeroTail() throws IOException {
        Path dir = tmp.resolve("log");
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer).preallocationBytes(STEP)
                .segmentMaxBytes(4 * STEP).checkpointInterval(Duration.ofHours(1)).open()) {
            // About 550 KB of records: each segment is extended step by step, then rolls over.
            for (int i = 0; i < 1500; i++) {
                log.append(TestEvents.decision(i));
            }
            List<Long> segments = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
                files.map(p -> Long.parseLong(p.getFileName().toString().replace(".seg", ""))).sorted().forEach(segments::add);
            }
            assertThat(segments).hasSizeGreaterThan(1);
            long second = segments.get(1);
            assertThat(Files.size(segment(dir, 0))).as("sealed: exactly its records").isEqualTo(endOfRecords((int) second));
            byte[] last = Files.readAllBytes(segment(dir, segments.get(segments.size() - 1)));
            int zeroTail = last.length - 1 - lastNonZero(last);
            assertThat(zeroTail).as("the open segment has zeros ahead, at most a window").isPositive()
                    .isLessThanOrEqualTo((int) STEP);
        }
        VerificationReport report = verify(dir);
        assertThat(report.findings()).isEmpty();
        assertThat(report.entries()).isEqualTo(1500);
    }

    /**
     * The window of zeros ahead is topped up by at most one chunk per group, never written whole
     * at once: a whole 8 MiB window and its flush held every durable append for ~28 ms
     * (docs/benchmarks.md, authz run 39). Each append here is a group of its own.
     */
    @Test
    void theZeroWindowIsToppedUpAChunkAtATimeAndStaysAhead() throws IOException {
        Path dir = tmp.resolve("log");
        long window = 4 * SegmentFileAuditLog.PREALLOCATION_CHUNK_BYTES;
        Path seg = segment(dir, 0);
        List<Long> sizes = new ArrayList<>();
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer).preallocationBytes(window)
                .checkpointInterval(Duration.ofHours(1)).open()) {
            sizes.add(Files.size(seg));
            long records = RecordFormat.SEGMENT_HEADER_SIZE;
            for (int i = 0; i < 3000; i++) { // about 1.1 MB of records: the window is refilled several times
                AuditEvent event = TestEvents.decision(i);
                log.append(event);
                records += RecordFormat.recordSize(json.canonicalBytes(event).length);
                long size = Files.size(seg);
                long ahead = size - records;
                assertThat(ahead).as("zeros ahead after append %d", i).isNotNegative().isLessThanOrEqualTo(window);
                sizes.add(size);
            }
        }
        assertThat(sizes.get(0)).as("a new segment starts with one chunk").isEqualTo(SegmentFileAuditLog.PREALLOCATION_CHUNK_BYTES);
        long largestStep = 0;
        int steps = 0;
        for (int i = 1; i < sizes.size(); i++) {
            long step = sizes.get(i) - sizes.get(i - 1);
            largestStep = Math.max(largestStep, step);
            steps += step > 0 ? 1 : 0;
        }
        assertThat(largestStep).as("no group writes more than one chunk of zeros")
                .isEqualTo(SegmentFileAuditLog.PREALLOCATION_CHUNK_BYTES);
        assertThat(steps).as("the file grows in chunks, not with every group").isLessThan(sizes.size() / 100);
        assertThat(verify(dir).findings()).isEmpty();
    }

    /** The index of the last byte that is not zero (-1 if there is none). */
    private static int lastNonZero(byte[] bytes) {
        int i = bytes.length - 1;
        while (i >= 0 && bytes[i] == 0) {
            i--;
        }
        return i;
    }

    @Test
    void reopenAfterACrashKeepsTheZeroTailAndAppendsAfterTheRecords() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 7; i++) {
                log.append(TestEvents.decision(i));
            }
            log.checkpoint();
            copyAsACrashWould(dir, crashed);
        }
        assertThat(Files.size(segment(crashed, 0))).as("the crash left the zero tail").isEqualTo(STEP);
        VerificationReport before = verify(crashed);
        assertThat(before.findings()).as("a crashed log with a zero tail verifies").isEmpty();
        assertThat(before.entries()).isEqualTo(7);
        try (SegmentFileAuditLog log = open(crashed)) {
            assertThat(log.size()).isEqualTo(7);
            log.append(TestEvents.decision(7));
            assertThat(log.read(7, 1).get(0).event().id()).isEqualTo(TestEvents.decision(7).id());
        }
        assertThat(Files.size(segment(crashed, 0))).isEqualTo(endOfRecords(8));
        VerificationReport after = verify(crashed);
        assertThat(after.findings()).isEmpty();
        assertThat(after.entries()).isEqualTo(8);
    }

    @Test
    void aTornRecordInsideTheZeroTailIsDroppedAtReopenButNothingAcknowledged() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
            log.checkpoint();
            copyAsACrashWould(dir, crashed);
        }
        // A batch that never finished: two complete records without the end-of-batch flag, then the
        // first 100 bytes of a third, and the preallocated zeros after it.
        byte[] payload = json.canonicalBytes(TestEvents.decision(5));
        ByteBuffer torn = ByteBuffer.allocate(3 * RecordFormat.recordSize(payload.length));
        RecordFormat.writeRecord(torn, 5, (byte) 0, payload, new CRC32C());
        RecordFormat.writeRecord(torn, 6, (byte) 0, payload, new CRC32C());
        int third = torn.position();
        RecordFormat.writeRecord(torn, 7, RecordFormat.END_OF_BATCH, payload, new CRC32C());
        torn.flip().limit(third + 100);
        writeAt(segment(crashed, 0), endOfRecords(5), torn);

        VerificationReport torn0 = verify(crashed);
        assertThat(torn0.findings()).as("a record cut short in the zero tail is a torn tail, not damage").isEmpty();

        try (SegmentFileAuditLog log = open(crashed)) {
            assertThat(log.size()).isEqualTo(5);
            for (LogEntry e : log.read(0, 5)) {
                assertThat(e.event().id()).isEqualTo(TestEvents.decision(e.index()).id());
            }
            log.append(TestEvents.decision(99));
            assertThat(log.read(5, 1).get(0).event().id()).isEqualTo(TestEvents.decision(99).id());
        }
        VerificationReport after = verify(crashed);
        assertThat(after.findings()).isEmpty();
        assertThat(after.entries()).isEqualTo(6);
    }

    @Test
    void aRecordHeaderCutInsideItsLengthIsATornTail() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 3; i++) {
                log.append(TestEvents.decision(i));
            }
            log.checkpoint();
            copyAsACrashWould(dir, crashed);
        }
        // Only the first two bytes of the length reached the disk; 0x7f7f.... is an impossible length.
        writeAt(segment(crashed, 0), endOfRecords(3), ByteBuffer.wrap(new byte[] {0x7f, 0x7f}));
        assertThat(verify(crashed).findings()).isEmpty();
        try (SegmentFileAuditLog log = open(crashed)) {
            assertThat(log.size()).isEqualTo(3);
        }
    }

    @Test
    void verifyReportsNonZeroBytesAfterTheEndOfTheRecordsAtTheNextIndex() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
            copyAsACrashWould(dir, crashed);
        }
        long end = endOfRecords(5);
        // Past a gap of zeros: not a record that was being written when the log stopped.
        writeAt(segment(crashed, 0), end + 1000, ByteBuffer.wrap("not a record".getBytes()));
        List<Finding> findings = verify(crashed).findings();
        assertThat(findings).isNotEmpty();
        assertThat(findings.get(0).code()).isEqualTo(Finding.Code.RECORD_DAMAGED);
        assertThat(findings.get(0).index()).isEqualTo(5);
        assertThat(findings.get(0).evidence()).contains("offset " + (end + 1000)).contains("after the end of the records");
    }

    @Test
    void verifyReportsGarbageRightAfterTheRecordsThatIsNoRecordPrefix() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
            copyAsACrashWould(dir, crashed);
        }
        byte[] garbage = new byte[40];
        Arrays.fill(garbage, (byte) 0x7f);
        writeAt(segment(crashed, 0), endOfRecords(5), ByteBuffer.wrap(garbage));
        List<Finding> findings = verify(crashed).findings();
        assertThat(findings).extracting(Finding::code).first().isEqualTo(Finding.Code.RECORD_DAMAGED);
        assertThat(findings.get(0).index()).isEqualTo(5);
    }

    @Test
    void aRecordChangedInTheLastSegmentOfAnOpenLogIsStillReported() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
            copyAsACrashWould(dir, crashed);
        }
        // One byte in the middle of the last record, which is followed by the zero tail.
        Path seg = segment(crashed, 0);
        byte[] bytes = Files.readAllBytes(seg);
        long last = endOfRecords(4);
        assertThat(bytes[(int) endOfRecords(5) - 1]).as("this record's CRC does not end in a zero byte").isNotZero();
        bytes[(int) last + RecordFormat.RECORD_HEADER_SIZE + 20] ^= 0x01;
        Files.write(seg, bytes);
        List<Finding> findings = verify(crashed).findings();
        assertThat(findings).extracting(Finding::code).first().isEqualTo(Finding.Code.RECORD_DAMAGED);
        assertThat(findings.get(0).index()).isEqualTo(4);
    }

    @Test
    void aCopyTakenWhileManyWritersAppendHoldsEveryAppendThatReturnedBeforeIt() throws Exception {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        AtomicLong next = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Set<String> acknowledgedBeforeCopy;
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer).preallocationBytes(STEP)
                .segmentMaxBytes(4 * STEP).checkpointInterval(Duration.ofHours(1)).open();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                writers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        long i = next.getAndIncrement();
                        log.append(TestEvents.decision(i));
                        acknowledged.add(TestEvents.id(i));
                    }
                    return null;
                }));
            }
            while (acknowledged.size() < 2000) {
                Thread.sleep(5);
            }
            // Signed here, not by the background checkpointer, so that the copy never catches the
            // checkpoint history half-appended (a different matter from the segments).
            log.checkpoint();
            acknowledgedBeforeCopy = new HashSet<>(acknowledged);
            copyAsACrashWould(dir, crashed);
            stop.set(true);
            for (Future<?> w : writers) {
                w.get();
            }
        }
        try (SegmentFileAuditLog log = open(crashed)) {
            Set<String> present = new HashSet<>();
            for (LogEntry e : log.read(0, (int) log.size())) {
                present.add(e.event().id());
            }
            assertThat(present).hasSize((int) log.size());
            assertThat(present).containsAll(acknowledgedBeforeCopy);
            log.append(TestEvents.decision(1_000_000));
        }
        VerificationReport report = verify(crashed);
        assertThat(report.findings()).isEmpty();
        assertThat(report.entries()).isGreaterThan(acknowledgedBeforeCopy.size());
    }

    @Test
    void aSegmentWhoseHeaderIsZeroButWhichHoldsRecordsIsRefusedNotWiped() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 3; i++) {
                log.append(TestEvents.decision(i));
            }
            copyAsACrashWould(dir, crashed);
        }
        Path seg = segment(crashed, 0);
        writeAt(seg, 0, ByteBuffer.allocate(RecordFormat.SEGMENT_HEADER_SIZE));
        long size = Files.size(seg);
        assertThatThrownBy(() -> open(crashed)).isInstanceOf(dev.portcullis.audit.AuditException.class)
                .hasMessageContaining("header is zeros but the file holds data");
        assertThat(Files.size(seg)).isEqualTo(size);
        assertThat(allZero(Files.readAllBytes(seg), 0)).isFalse();
    }

    @Test
    void aSegmentCreatedButNeverWrittenIsStartedAgainAtReopen() throws IOException {
        Path dir = tmp.resolve("log");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(dir)) {
            copyAsACrashWould(dir, crashed);
        }
        // The preallocated file reached the disk but its header did not.
        writeAt(segment(crashed, 0), 0, ByteBuffer.allocate(RecordFormat.SEGMENT_HEADER_SIZE));
        try (SegmentFileAuditLog log = open(crashed)) {
            assertThat(log.size()).isZero();
            log.append(TestEvents.decision(0));
        }
        assertThat(verify(crashed).entries()).isEqualTo(1);
    }

    @Test
    void withPreallocationOffTheSegmentGrowsWithItsRecords() throws IOException {
        Path dir = tmp.resolve("log");
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer).preallocationBytes(0)
                .checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
            assertThat(Files.size(segment(dir, 0))).isEqualTo(endOfRecords(5));
        }
        assertThat(verify(dir).findings()).isEmpty();
    }

    @Test
    void builderNamesABadPreallocationStep() {
        assertThatThrownBy(() -> SegmentFileAuditLog.builder(tmp, ORIGIN, signer).preallocationBytes(1000).open())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("preallocationBytes must be 0 (off) or from 64 KiB");
    }
}
