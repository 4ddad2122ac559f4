package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.testing.TestEvents;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.VerificationReport;

class SegmentFileVerifiableLogTest {

    static final String ORIGIN = "portcullis.test/audit/verifiable";
    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());

    @TempDir
    Path dir;

    @Test
    void splitNotesSeparatesConcatenatedSignedNotesWithSeveralSignatures() {
        LocalEd25519CheckpointSigner a = LocalEd25519CheckpointSigner.generate("a", new SecureRandom());
        LocalEd25519CheckpointSigner b = LocalEd25519CheckpointSigner.generate("b", new SecureRandom());
        SignedCheckpoint one = SignedCheckpoint.sign(new Checkpoint("log", 1, Rfc6962.emptyRoot()), a);
        String two = SignedCheckpoint.sign(new Checkpoint("log", 2, Rfc6962.emptyRoot()), a).note()
                .withSignature(b.sign(new Checkpoint("log", 2, Rfc6962.emptyRoot()).textBytes())).format();
        List<byte[]> notes = SegmentFileVerifiableLog.splitNotes(
                (one.format() + two + one.format()).getBytes(StandardCharsets.UTF_8));
        assertThat(notes).extracting(note -> new String(note, StandardCharsets.UTF_8))
                .containsExactly(one.format(), two, one.format());
        assertThat(SegmentFileVerifiableLog.splitNotes(new byte[0])).isEmpty();
    }

    /** A log of 3 entries, closed (so a checkpoint of 3 is signed), and its verifier. */
    private LogVerifier logOfThree() {
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer)
                .checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < 3; i++) {
                log.append(TestEvents.decision(i));
            }
        }
        return new LogVerifier(new CheckpointVerifier(Set.of(signer.verifierKey())));
    }

    @Test
    void verifyWhenTheCheckpointHistoryHoldsBytesThatAreNotUtf8ThenReportsThemMalformedAndVerifiesTheRest()
            throws IOException {
        LogVerifier verifier = logOfThree();
        Files.write(dir.resolve("checkpoints"), new byte[] {(byte) 0xff, '\n'}, StandardOpenOption.APPEND);

        VerificationReport report = verifier.verify(SegmentFileVerifiableLog.of(dir), null, null);

        assertThat(report.findings()).extracting(Finding::code).containsExactly(Finding.Code.CHECKPOINT_MALFORMED);
        assertThat(report.findings().get(0).evidence()).contains("not UTF-8 text: byte 0xff at offset 0");
        assertThat(report.verifiedCheckpoint().size()).isEqualTo(3);
        assertThat(report.entries()).isEqualTo(3);
    }

    @Test
    void verifyWhenTheOriginFileIsNotUtf8ThenReportsItAndStillChecksTheCheckpoints()
            throws IOException {
        LogVerifier verifier = logOfThree();
        byte[] origin = Files.readAllBytes(dir.resolve("origin"));
        origin[2] = (byte) 0xc0;
        Files.write(dir.resolve("origin"), origin);
        SegmentFileVerifiableLog log = SegmentFileVerifiableLog.of(dir);
        VerificationReport report = verifier.verify(log, null, null);

        assertThat(log.origin()).isNull();
        assertThat(report.findings()).extracting(Finding::code).containsExactly(Finding.Code.CHECKPOINT_MALFORMED);
        assertThat(report.findings().get(0).evidence()).contains("origin file").contains("byte 0xc0 at offset 2");
        // The signed checkpoint was still checked: its signature, and the entries against its root.
        assertThat(report.verifiedCheckpoint().size()).isEqualTo(3);
    }
}
