package dev.portcullis.audit.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known answers from the Go reference implementation of signed notes
 * (golang.org/x/mod/sumdb/note, its package documentation's PeterNeumann example): the same key
 * file must give the same key id, the same (deterministic Ed25519) signature line, and our
 * verifier must accept the Go-made note.
 */
class SignedNoteKnownAnswerTest {

    static final String GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    static final String GO_NOTE = TEXT + "\n"
            + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    @TempDir
    Path dir;

    private LocalEd25519CheckpointSigner goSigner() throws Exception {
        Path key = dir.resolve("peter.key");
        Files.writeString(key, GO_SIGNER_KEY + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return LocalEd25519CheckpointSigner.load(key);
    }

    @Test
    void signingWithTheGoExampleKeyGivesTheGoSignatureLine() throws Exception {
        LocalEd25519CheckpointSigner signer = goSigner();
        NoteSignature signature = signer.sign(TEXT.getBytes(StandardCharsets.UTF_8));
        String note = new SignedNote(TEXT, List.of(signature)).format();
        assertThat(note).isEqualTo(GO_NOTE);
        assertThat(signer.verifierKey().toString()).isEqualTo(GO_VERIFIER_KEY);
    }

    @Test
    void theGoVerifierKeyParsesWithItsKeyIdAndVerifiesTheGoNote() {
        VerifierKey key = VerifierKey.parse(GO_VERIFIER_KEY);
        assertThat(key.name()).isEqualTo("PeterNeumann");
        assertThat(key.keyId()).isEqualTo(0xc74f20a3);
        SignedNote note = SignedNote.parse(GO_NOTE);
        assertThat(note.text()).isEqualTo(TEXT);
        assertThat(note.signatures()).hasSize(1);
        assertThat(key.verifies(TEXT.getBytes(StandardCharsets.UTF_8), note.signatures().get(0).signature())).isTrue();
        assertThat(key.verifies(TEXT.replace("cryptography", "cryptographY").getBytes(StandardCharsets.UTF_8),
                note.signatures().get(0).signature())).isFalse();
    }

    @Test
    void parseVerifierKeyWhenMangledThenRejects() {
        for (String bad : List.of(
                "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // id mismatch
                "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // upper-case id
                "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "PeterNeumann+c74f20a3",
                "PeterNeumann+c74f20a3+!!!!",
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")) { // unknown algorithm 0x65
            assertThatThrownBy(() -> VerifierKey.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void loadWhenKeyFileIsReadableByOthersThenRefuses() throws Exception {
        Path key = dir.resolve("open.key");
        Files.writeString(key, GO_SIGNER_KEY + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> LocalEd25519CheckpointSigner.load(key))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("chmod 600")
                .hasMessageNotContaining("AYEKFALV");
    }
}
