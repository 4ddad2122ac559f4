package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.tree.Rfc6962;

class SegmentFileVerifiableLogTest {

    @Test
    void splitNotesSeparatesConcatenatedSignedNotesWithSeveralSignatures() {
        LocalEd25519CheckpointSigner a = LocalEd25519CheckpointSigner.generate("a", new SecureRandom());
        LocalEd25519CheckpointSigner b = LocalEd25519CheckpointSigner.generate("b", new SecureRandom());
        SignedCheckpoint one = SignedCheckpoint.sign(new Checkpoint("log", 1, Rfc6962.emptyRoot()), a);
        String two = SignedCheckpoint.sign(new Checkpoint("log", 2, Rfc6962.emptyRoot()), a).note()
                .withSignature(b.sign(new Checkpoint("log", 2, Rfc6962.emptyRoot()).textBytes())).format();
        List<String> notes = SegmentFileVerifiableLog.splitNotes(one.format() + two + one.format());
        assertThat(notes).containsExactly(one.format(), two, one.format());
        assertThat(SegmentFileVerifiableLog.splitNotes("")).isEmpty();
    }
}
