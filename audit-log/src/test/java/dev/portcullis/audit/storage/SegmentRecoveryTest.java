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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.DurabilityMode;
import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.internal.RecordFormat;
import dev.portcullis.audit.testing.TestEvents;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.VerificationReport;

/**
 * Recovery at open against damage that is not a torn tail: the log refuses to open and leaves
 * every file as it was, so that the verifier still finds the damage. (Torn tails that recovery
 * does cut: {@link SegmentFileAuditLogTest}, {@link SegmentPreallocationTest}.)
 */
class SegmentRecoveryTest {

    static final String ORIGIN = "portcullis.test/audit/recovery";

    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
    private final CheckpointVerifier trust = new CheckpointVerifier(Set.of(signer.verifierKey()));

    @TempDir
    Path tmp;

    private SegmentFileAuditLog open(Path dir) {
        return SegmentFileAuditLog.builder(dir, ORIGIN, signer).checkpointInterval(Duration.ofHours(1)).open();
    }

    private VerificationReport verify(Path dir) {
        return new LogVerifier(trust).verify(SegmentFileVerifiableLog.of(dir), null, null);
    }

    private static Path segment(Path dir) {
        return dir.resolve("segments").resolve(RecordFormat.segmentFileName(0));
    }

    /**
     * A log of 20 acknowledged (DURABLE) entries whose latest checkpoint covers the first 10,
     * copied while open, as a crash leaves it: checkpoints and derived files before segments.
     */
    private Path crashedWithTenUnsignedEntries() throws IOException {
        Path live = tmp.resolve("live");
        Path crashed = tmp.resolve("crashed");
        try (SegmentFileAuditLog log = open(live)) {
            for (int i = 0; i < 10; i++) {
                log.append(TestEvents.decision(i));
            }
            log.checkpoint();
            for (int i = 10; i < 20; i++) {
                log.append(TestEvents.decision(i));
            }
            List<Path> order = new ArrayList<>();
            for (String name : List.of("origin", "checkpoints", "checkpoint", "index")) {
                order.add(live.resolve(name));
            }
            try (Stream<Path> tree = Files.list(live.resolve("tree"))) {
                tree.sorted().forEach(order::add);
            }
            order.add(segment(live));
            for (Path file : order) {
                Path copy = crashed.resolve(live.relativize(file));
                Files.createDirectories(copy.getParent());
                Files.write(copy, Files.readAllBytes(file));
            }
        }
        return crashed;
    }

    /** Cuts the segment 30 bytes into entry {@code index} (found through the index): the shape of a torn write. */
    private static void endSegmentInsideEntry(Path dir, long index) throws IOException {
        long offset;
        try (FileChannel idx = FileChannel.open(dir.resolve("index"), StandardOpenOption.READ)) {
            ByteBuffer entry = ByteBuffer.allocate(8);
            idx.read(entry, index * RecordFormat.INDEX_ENTRY_SIZE);
            offset = entry.flip().getLong();
        }
        try (FileChannel seg = FileChannel.open(segment(dir), StandardOpenOption.WRITE)) {
            seg.truncate(offset + 30);
        }
    }

    /** Flips one byte inside the payload of entry {@code index}, found through the index. */
    private static void flipPayloadByte(Path dir, long index) throws IOException {
        long offset;
        try (FileChannel idx = FileChannel.open(dir.resolve("index"), StandardOpenOption.READ)) {
            ByteBuffer entry = ByteBuffer.allocate(RecordFormat.INDEX_ENTRY_SIZE);
            idx.read(entry, index * RecordFormat.INDEX_ENTRY_SIZE);
            offset = entry.flip().getLong();
        }
        long position = offset + RecordFormat.RECORD_HEADER_SIZE + 20;
        try (FileChannel seg = FileChannel.open(segment(dir), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            seg.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
            seg.write(b, position);
        }
    }

    /** Every file of the log directory but the lock, by relative path, with its bytes. */
    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(file) && !file.getFileName().toString().equals("LOCK")) {
                    files.put(dir.relativize(file).toString(), Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    @Test
    void openWhenARecordBeforeAcknowledgedOnesIsDamagedThenRefusesAndChangesNothing() throws IOException {
        Path crashed = crashedWithTenUnsignedEntries();
        flipPayloadByte(crashed, 12);
        Map<String, byte[]> before = snapshot(crashed);

        assertThatThrownBy(() -> open(crashed)).isInstanceOf(AuditException.class)
                .hasMessageContaining(segment(crashed).toString())
                .hasMessageContaining("entry 12")
                .hasMessageContaining("CRC-32C does not match")
                .hasMessageContaining("refusing to open");

        assertThat(snapshot(crashed)).as("nothing written, nothing cut").containsExactlyEntriesOf(before);
        List<Finding> findings = verify(crashed).findings();
        assertThat(findings).isNotEmpty();
        assertThat(findings.get(0).code()).isEqualTo(Finding.Code.RECORD_DAMAGED);
        assertThat(findings.get(0).index()).isEqualTo(12);
    }

    @Test
    void openWhenARecordInsideTheSignedPrefixIsDamagedThenRefusesBeforeCuttingAnything() throws IOException {
        Path dir = tmp.resolve("log");
        try (SegmentFileAuditLog log = open(dir)) {
            for (int i = 0; i < 20; i++) {
                log.append(TestEvents.decision(i));
            }
        }
        flipPayloadByte(dir, 5);
        Map<String, byte[]> before = snapshot(dir);

        assertThatThrownBy(() -> open(dir)).isInstanceOf(AuditException.class)
                .hasMessageContaining("entry 5")
                .hasMessageContaining("refusing to open");

        assertThat(snapshot(dir)).containsExactlyEntriesOf(before);
        VerificationReport report = verify(dir);
        assertThat(report.findings()).extracting(Finding::code).first().isEqualTo(Finding.Code.RECORD_DAMAGED);
        assertThat(report.findings().get(0).index()).isEqualTo(5);
    }

    @Test
    void openWhenATornLookingTailHoldsIndexedEntriesThenRefusesInsteadOfCuttingThem() throws IOException {
        Path crashed = crashedWithTenUnsignedEntries();
        // Entries 18 and 19 are acknowledged and indexed, but the segment now ends inside 18:
        // the shape of a write cut short, which these entries are not.
        endSegmentInsideEntry(crashed, 18);
        Map<String, byte[]> before = snapshot(crashed);

        assertThatThrownBy(() -> open(crashed)).isInstanceOf(AuditException.class)
                .hasMessageContaining("holds 18 entries but its index lists 20")
                .hasMessageContaining("refusing to open");

        assertThat(snapshot(crashed)).containsExactlyEntriesOf(before);
        assertThat(verify(crashed).intact()).isFalse();
    }

    @Test
    void openInAsyncModeWhenTheIndexListsEntriesOfATornTailThenCutsThemAsTheAsyncTradeOffAllows() throws IOException {
        // In ASYNC mode the index is written before the flush: after a machine failure it can list
        // entries of the batch the segment lost. Those were acknowledged before they were durable,
        // which is the mode's documented trade-off; refusing to open would keep the service down.
        Path crashed = crashedWithTenUnsignedEntries();
        endSegmentInsideEntry(crashed, 18);

        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(crashed, ORIGIN, signer)
                .checkpointInterval(Duration.ofHours(1)).durability(DurabilityMode.ASYNC).open()) {
            assertThat(log.size()).isEqualTo(18);
        }
        assertThat(verify(crashed).intact()).isTrue();
    }

    @Test
    void openWhenTheSegmentsAreGoneButTheIndexListsEntriesThenRefuses() throws IOException {
        Path crashed = crashedWithTenUnsignedEntries();
        Files.delete(crashed.resolve("checkpoint"));
        Files.delete(segment(crashed));
        Map<String, byte[]> before = snapshot(crashed);

        assertThatThrownBy(() -> open(crashed)).isInstanceOf(AuditException.class)
                .hasMessageContaining("has no segments but its index lists 20 entries");

        assertThat(snapshot(crashed)).containsExactlyEntriesOf(before);
    }

    /** Sets byte {@code offset} of {@code file} to {@code value}. */
    private static void setByte(Path file, int offset, int value) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] = (byte) value;
        Files.write(file, bytes);
    }

    @Test
    void openWhenTheOriginFileIsNotUtf8ThenRefusesItAsMalformedAndChangesNothing() throws IOException {
        Path crashed = crashedWithTenUnsignedEntries();
        setByte(crashed.resolve("origin"), 2, 0xc0);
        Map<String, byte[]> before = snapshot(crashed);

        assertThatThrownBy(() -> open(crashed)).isInstanceOfSatisfying(CheckpointException.class,
                        e -> assertThat(e.code()).isEqualTo(CheckpointException.Code.MALFORMED))
                .hasMessageContaining("origin file (the log's name) " + crashed.resolve("origin"))
                .hasMessageContaining("not UTF-8 text: byte 0xc0 at offset 2")
                .hasMessageContaining("run 'portcullis audit verify'");

        assertThat(snapshot(crashed)).containsExactlyEntriesOf(before);
        assertThat(crashed.resolve("LOCK")).as("refused before the lock is even created").doesNotExist();
        // verify reports the same file under the same code.
        assertThat(verify(crashed).findings()).extracting(Finding::code).contains(Finding.Code.CHECKPOINT_MALFORMED);
    }

    @Test
    void openWhenTheLatestCheckpointFileIsNotUtf8ThenRefusesItAsMalformedAndChangesNothing() throws IOException {
        Path crashed = crashedWithTenUnsignedEntries();
        setByte(crashed.resolve("checkpoint"), 5, 0xff);
        Map<String, byte[]> before = snapshot(crashed);

        assertThatThrownBy(() -> open(crashed)).isInstanceOfSatisfying(CheckpointException.class,
                        e -> assertThat(e.code()).isEqualTo(CheckpointException.Code.MALFORMED))
                .hasMessageContaining("latest checkpoint file " + crashed.resolve("checkpoint"))
                .hasMessageContaining("not UTF-8 text: byte 0xff at offset 5");

        assertThat(snapshot(crashed)).as("nothing rebuilt, nothing cut").containsExactlyEntriesOf(before);
    }
}
