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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.DurabilityMode;
import dev.portcullis.audit.EntryCursor;
import dev.portcullis.audit.EventFilter;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.internal.RecordFormat;
import dev.portcullis.audit.testing.TestEvents;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.ProofVerifier;
import dev.portcullis.audit.verify.VerificationReport;

class SegmentFileAuditLogTest {

    static final String ORIGIN = "portcullis.test/audit/node-1";
    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
    private final CheckpointVerifier trust = new CheckpointVerifier(Set.of(signer.verifierKey()));

    @TempDir
    Path dir;

    private SegmentFileAuditLog open() {
        return SegmentFileAuditLog.builder(dir, ORIGIN, signer).checkpointInterval(Duration.ofHours(1)).open();
    }

    private VerificationReport verify() {
        return new LogVerifier(trust).verify(SegmentFileVerifiableLog.of(dir), null, null);
    }

    @Test
    void appendThenReadReturnsTheCanonicalEventsInOrder() {
        AuditEventJson json = new AuditEventJson();
        try (SegmentFileAuditLog log = open()) {
            for (int i = 0; i < 10; i++) {
                log.append(TestEvents.decision(i));
            }
            assertThat(log.size()).isEqualTo(10);
            List<LogEntry> entries = log.read(3, 4);
            assertThat(entries).extracting(LogEntry::index).containsExactly(3L, 4L, 5L, 6L);
            assertThat(entries.get(0).canonicalBytes()).isEqualTo(json.canonicalBytes(TestEvents.decision(3)));
            assertThat(entries.get(0).event()).isEqualTo(TestEvents.decision(3));
            assertThat(log.read(9, 100)).hasSize(1);
            assertThat(log.read(10, 100)).isEmpty();
        }
    }

    @Test
    void checkpointIsSignedOverTheDurableEntriesAndProofsVerifyAgainstIt() {
        try (SegmentFileAuditLog log = open()) {
            for (int i = 0; i < 300; i++) {
                log.append(TestEvents.decision(i));
            }
            SignedCheckpoint signed = log.checkpoint();
            Checkpoint cp = trust.verify(signed.format(), ORIGIN);
            assertThat(cp.size()).isEqualTo(300);
            assertThat(cp.rootHash()).isEqualTo(log.rootHash(300));
            for (long i : new long[] {0, 1, 255, 256, 299}) {
                byte[] leaf = log.read(i, 1).get(0).leafHash();
                ProofVerifier.verifyInclusion(leaf, log.inclusionProof(i, 300), cp.rootHash());
            }
            ProofVerifier.verifyConsistency(log.rootHash(37), cp.rootHash(), log.consistencyProof(37, 300));
        }
        assertThat(verify().intact()).isTrue();
    }

    @Test
    void appendFromManyVirtualThreadsAtOnceKeepsEveryEventExactlyOnce() throws Exception {
        int threads = 64;
        int perThread = 50;
        try (SegmentFileAuditLog log = open();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        log.append(TestEvents.decision(thread * 1000L + i));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertThat(log.size()).isEqualTo((long) threads * perThread);
            Set<String> ids = new HashSet<>();
            log.read(0, threads * perThread).forEach(e -> ids.add(e.event().id()));
            assertThat(ids).hasSize(threads * perThread);
        }
        VerificationReport report = verify();
        assertThat(report.findings()).isEmpty();
        assertThat(report.verifiedCheckpoint().size()).isEqualTo((long) threads * perThread);
    }

    @Test
    void reopenResumesTheSameTreeAcrossRolledSegments() {
        byte[] root;
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer)
                .segmentMaxBytes(64 * 1024).checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < 700; i++) {
                log.append(TestEvents.decision(i));
            }
            root = log.rootHash(700);
        }
        assertThat(LogFilesCount.segments(dir)).isGreaterThan(2);
        try (SegmentFileAuditLog log = open()) {
            assertThat(log.size()).isEqualTo(700);
            assertThat(log.rootHash(700)).isEqualTo(root);
            log.append(TestEvents.decision(700));
            assertThat(log.read(700, 1).get(0).event().id()).isEqualTo(TestEvents.decision(700).id());
        }
        VerificationReport report = verify();
        assertThat(report.findings()).isEmpty();
        assertThat(report.entries()).isEqualTo(701);
    }

    @Test
    void reopenDropsATornTailAndAnIncompleteBatchButNothingAcknowledged() throws IOException {
        try (SegmentFileAuditLog log = open()) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
        }
        Path segment = dir.resolve("segments").resolve(RecordFormat.segmentFileName(0));
        long acknowledgedLength = Files.size(segment);
        byte[] payload = new AuditEventJson().canonicalBytes(TestEvents.decision(5));
        ByteBuffer torn = ByteBuffer.allocate(3 * RecordFormat.recordSize(payload.length));
        // Two complete records of a batch whose last record never made it, then half a record.
        RecordFormat.writeRecord(torn, 5, (byte) 0, payload, new CRC32C());
        RecordFormat.writeRecord(torn, 6, (byte) 0, payload, new CRC32C());
        torn.put(new byte[] {0, 0, 1, 0, 0, 0});
        torn.flip();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(torn);
        }
        try (SegmentFileAuditLog log = open()) {
            assertThat(log.size()).isEqualTo(5);
            assertThat(Files.size(segment)).isEqualTo(acknowledgedLength);
            log.append(TestEvents.decision(99));
            assertThat(log.read(5, 1).get(0).event().id()).isEqualTo(TestEvents.decision(99).id());
        }
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    void openWhenSignedEntriesAreMissingThenRefusesInsteadOfDroppingThem() throws IOException {
        try (SegmentFileAuditLog log = open()) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
        }
        Path segment = dir.resolve("segments").resolve(RecordFormat.segmentFileName(0));
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 10);
        }
        assertThatThrownBy(this::open).isInstanceOf(AuditException.class)
                .hasMessageContaining("holds 4 entries but its latest signed checkpoint covers 5");
    }

    @Test
    void appendAllIsOneBatchAndAnOversizeEventIsRejectedBeforeAnythingIsWritten() {
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer).maxEventBytes(1024).open()) {
            AuditEvent big = TestEvents.decision(1).toBuilder().attribute("blob", "x".repeat(2000)).build();
            assertThatThrownBy(() -> log.appendAll(List.of(TestEvents.decision(0), big)))
                    .isInstanceOf(AuditException.class)
                    .hasMessageContaining("over the limit of 1024");
            assertThat(log.size()).isZero();
            log.appendAll(List.of(TestEvents.decision(0), TestEvents.decision(1), TestEvents.decision(2)));
            assertThat(log.size()).isEqualTo(3);
        }
    }

    @Test
    void followDeliversEntriesAppendedLater() throws Exception {
        try (SegmentFileAuditLog log = open(); EntryCursor cursor = log.follow(0)) {
            log.append(TestEvents.decision(0));
            assertThat(cursor.next(Duration.ofSeconds(5))).map(LogEntry::index).contains(0L);
            Thread appender = Thread.ofVirtual().start(() -> log.append(TestEvents.decision(1)));
            Optional<LogEntry> next = cursor.next(Duration.ofSeconds(30));
            appender.join();
            assertThat(next).map(LogEntry::index).contains(1L);
            assertThat(cursor.position()).isEqualTo(2);
        }
    }

    @Test
    void queryUsesTimeSubjectTypeAndOutcome() {
        try (SegmentFileAuditLog log = open()) {
            for (int i = 0; i < 100; i++) {
                log.append(TestEvents.decision(i));
            }
            EventFilter filter = new EventFilter(TestEvents.BASE.plusMillis(10), TestEvents.BASE.plusMillis(40),
                    "user-3", EventType.AUTHZ_DECISION, Outcome.ALLOW);
            List<LogEntry> found = log.query(filter, 0, 100);
            assertThat(found).extracting(LogEntry::index).containsExactly(20L, 37L);
            assertThat(log.query(new EventFilter(null, null, null, null, Outcome.DENY), 0, 1000)).hasSize(34);
        }
    }

    @Test
    void findAtOffersOnlyTheEntriesAtTheGivenTimesInLogOrder() {
        try (SegmentFileAuditLog log = open()) {
            for (int i = 0; i < 10; i++) {
                log.append(TestEvents.decision(i)); // at BASE + i ms
            }
            log.append(TestEvents.decision(3).toBuilder().id(TestEvents.id(100)).build());
            Set<Instant> times = Set.of(TestEvents.BASE.plusMillis(3), TestEvents.BASE.plusMillis(7),
                    TestEvents.BASE.minusMillis(1));

            List<Long> offered = new ArrayList<>();
            assertThat(log.findAt(times, entry -> {
                offered.add(entry.index());
                return false;
            })).isEmpty();
            assertThat(offered).containsExactly(3L, 7L, 10L);
            assertThat(log.findAt(times, entry -> entry.event().id().equals(TestEvents.id(100))))
                    .map(LogEntry::index).hasValue(10L);
        }
    }

    @Test
    void openWhenAnotherInstanceHoldsTheDirectoryThenRefuses() {
        try (SegmentFileAuditLog log = open()) {
            assertThatThrownBy(this::open).isInstanceOf(AuditException.class).hasMessageContaining("already open");
        }
    }

    @Test
    void openWhenDirectoryHoldsAnotherLogThenRefuses() {
        open().close();
        assertThatThrownBy(() -> SegmentFileAuditLog.builder(dir, "other/log", signer).open())
                .isInstanceOf(AuditException.class).hasMessageContaining("holds the log '" + ORIGIN + "'");
    }

    @Test
    void builderNamesTheBadSetting() {
        assertThatThrownBy(() -> SegmentFileAuditLog.builder(dir, ORIGIN, signer).segmentMaxBytes(10).open())
                .hasMessageContaining("segmentMaxBytes must be from 64 KiB");
        assertThatThrownBy(() -> SegmentFileAuditLog.builder(dir, "two\nlines", signer).open())
                .hasMessageContaining("origin");
        assertThatThrownBy(() -> SegmentFileAuditLog.builder(dir, ORIGIN, signer).maxEventBytes(10).open())
                .hasMessageContaining("maxEventBytes");
        assertThatThrownBy(() -> SegmentFileAuditLog.builder(dir, ORIGIN, signer).asyncGroupWindow(Duration.ofMillis(-1)).open())
                .hasMessage("asyncGroupWindow must be from 0 to 100 ms and at most asyncFlushInterval (200 ms), was PT-0.001S");
        assertThatThrownBy(() -> SegmentFileAuditLog.builder(dir, ORIGIN, signer)
                .asyncFlushInterval(Duration.ofMillis(5)).asyncGroupWindow(Duration.ofMillis(10)).open())
                .hasMessageContaining("at most asyncFlushInterval (5 ms), was PT0.01S");
    }

    @Test
    void asyncModeAcknowledgesBeforeTheFlushAndCheckpointsOnlyFlushedEntries() {
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer)
                .durability(DurabilityMode.ASYNC).asyncFlushInterval(Duration.ofSeconds(30))
                .checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < 20; i++) {
                log.append(TestEvents.decision(i));
            }
            SignedCheckpoint cp = log.checkpoint();
            assertThat(cp.checkpoint().size()).isEqualTo(20);
        }
        assertThat(verify().findings()).isEmpty();
    }

    @Test
    void leafHashIsOverTheCanonicalBytes() {
        try (SegmentFileAuditLog log = open()) {
            log.append(TestEvents.decision(7));
            byte[] canonical = new AuditEventJson().canonicalBytes(TestEvents.decision(7));
            assertThat(log.read(0, 1).get(0).leafHash()).isEqualTo(Rfc6962.leafHash(canonical));
            assertThat(log.rootHash(1)).isEqualTo(Rfc6962.leafHash(canonical));
        }
    }

    /** Counts segment files. */
    static final class LogFilesCount {
        static long segments(Path dir) {
            try (var files = Files.list(dir.resolve("segments"))) {
                return files.filter(p -> p.toString().endsWith(".seg")).count();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
