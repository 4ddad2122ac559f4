package dev.portcullis.audit.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.tree.CompactRange;
import dev.portcullis.audit.tree.Rfc6962;

/** The offline verifier over an in-memory log: it needs nothing but bytes and trusted keys. */
class LogVerifierTest {

    private static final String ORIGIN = "portcullis.test/audit/memory";
    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
    private final LogVerifier verifier = new LogVerifier(new CheckpointVerifier(Set.of(signer.verifierKey())));

    /** A log held in lists: entries, stored leaf hashes and checkpoint notes. */
    private static final class MemoryLog implements VerifiableLog {
        final List<byte[]> entries = new ArrayList<>();
        final List<byte[]> leaves = new ArrayList<>();
        final List<byte[]> notes = new ArrayList<>();

        @Override
        public String origin() {
            return ORIGIN;
        }

        @Override
        public long claimedSize() {
            return entries.size();
        }

        @Override
        public void stream(Visitor visitor) {
            for (int i = 0; i < entries.size(); i++) {
                visitor.entry(i, entries.get(i), i < leaves.size() ? leaves.get(i) : null);
            }
        }

        @Override
        public List<byte[]> checkpointNotes() {
            return notes;
        }
    }

    private MemoryLog log(int n, int... checkpointSizes) {
        MemoryLog log = new MemoryLog();
        CompactRange range = new CompactRange();
        List<Integer> sizes = new ArrayList<>();
        for (int s : checkpointSizes) {
            sizes.add(s);
        }
        for (int i = 0; i < n; i++) {
            byte[] entry = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            log.entries.add(entry);
            log.leaves.add(Rfc6962.leafHash(entry));
            range.append(Rfc6962.leafHash(entry), null);
            if (sizes.contains(i + 1)) {
                log.notes.add(SignedCheckpoint.sign(new Checkpoint(ORIGIN, i + 1, range.rootHash()), signer).format()
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return log;
    }

    @Test
    void verifyWhenIntactThenReportsTheLargestCheckpointAndTheUnsignedTail() {
        VerificationReport report = verifier.verify(log(100, 10, 60), null, null);
        assertThat(report.intact()).isTrue();
        assertThat(report.entries()).isEqualTo(100);
        assertThat(report.verifiedCheckpoint().size()).isEqualTo(60);
        assertThat(report.unsignedEntries()).isEqualTo(40);
        assertThat(report.checkpointsChecked()).isEqualTo(2);
    }

    @Test
    void verifyWhenNoCheckpointIsTrustedThenSaysNothingVouchesForTheLog() {
        MemoryLog log = log(5);
        VerificationReport report = verifier.verify(log, null, null);
        assertThat(report.findings()).extracting(Finding::code).containsExactly(Finding.Code.NO_TRUSTED_CHECKPOINT);
    }

    @Test
    void verifyWhenAnEntryChangedAndItsStoredHashWithItThenNamesTheRangeBetweenCheckpoints() {
        MemoryLog log = log(100, 20, 40, 60);
        byte[] forged = "{\"n\":\"forged\"}".getBytes(StandardCharsets.UTF_8);
        log.entries.set(33, forged);
        log.leaves.set(33, Rfc6962.leafHash(forged));
        VerificationReport report = verifier.verify(log, null, null);
        assertThat(report.firstBadIndex()).hasValue(20);
        assertThat(report.findings()).allSatisfy(f -> assertThat(f.code()).isEqualTo(Finding.Code.ROOT_MISMATCH));
        assertThat(report.verifiedCheckpoint().size()).isEqualTo(20);
    }

    @Test
    void verifyWhenTheLogIsShorterThanACheckpointThenReportsTruncationAtTheFirstMissingIndex() {
        MemoryLog log = log(50, 50);
        log.entries.subList(45, 50).clear();
        VerificationReport report = verifier.verify(log, null, null);
        assertThat(report.firstBadIndex()).hasValue(45);
        assertThat(report.findings()).extracting(Finding::code).contains(Finding.Code.LOG_TRUNCATED);
    }

    @Test
    void verifyWhenACheckpointNoteIsNotUtf8ThenReportsItMalformedAndVerifiesTheOthers() {
        MemoryLog log = log(30, 10, 20, 30);
        byte[] second = log.notes.get(1);
        second[5] = (byte) 0xff;
        log.notes.add(new byte[] {(byte) 0xc3, '\n'});

        VerificationReport report = verifier.verify(log, null, null);

        assertThat(report.findings()).extracting(Finding::code)
                .containsExactly(Finding.Code.CHECKPOINT_MALFORMED, Finding.Code.CHECKPOINT_MALFORMED);
        assertThat(report.findings().get(0).evidence()).contains("not UTF-8 text: byte 0xff at offset 5");
        assertThat(report.findings().get(1).evidence()).contains("not UTF-8 text: byte 0xc3 at offset 0");
        assertThat(report.checkpointsChecked()).isEqualTo(4);
        assertThat(report.verifiedCheckpoint().size()).isEqualTo(30);
    }

    @Test
    void progressIsReportedWithTheFinalCount() {
        List<Long> seen = new ArrayList<>();
        verifier.verify(log(10, 10), null, seen::add);
        assertThat(seen).last().isEqualTo(10L);
    }
}
