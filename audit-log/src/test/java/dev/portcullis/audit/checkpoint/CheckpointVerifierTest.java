package dev.portcullis.audit.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.tree.Rfc6962;

class CheckpointVerifierTest {

    private static final String ORIGIN = "portcullis.test/audit/node-1";
    private final SecureRandom random = new SecureRandom();

    @TempDir
    Path dir;

    private static Checkpoint checkpoint(long size) {
        return new Checkpoint(ORIGIN, size, Rfc6962.leafHash(("root" + size).getBytes()));
    }

    @Test
    void checkpointTextFollowsTheTlogCheckpointFormatAndRoundTrips() {
        Checkpoint cp = new Checkpoint(ORIGIN, 42, Rfc6962.emptyRoot(), List.of("extension line"));
        assertThat(cp.text()).isEqualTo(ORIGIN + "\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nextension line\n");
        assertThat(Checkpoint.parse(cp.text())).isEqualTo(cp);
    }

    @Test
    void parseCheckpointWhenMalformedThenNamesTheProblem() {
        String root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assertThatThrownBy(() -> Checkpoint.parse(ORIGIN + "\n042\n" + root + "\n")).hasMessageContaining("leading zeros");
        assertThatThrownBy(() -> Checkpoint.parse(ORIGIN + "\n42\n" + root)).hasMessageContaining("newline");
        assertThatThrownBy(() -> Checkpoint.parse(ORIGIN + "\n42\nAAAA\n")).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> Checkpoint.parse("\n42\n" + root + "\n")).hasMessageContaining("origin");
    }

    @Test
    void verifyWhenSignedByAnOlderTrustedKeyVersionThenAccepts() {
        LocalEd25519CheckpointSigner v1 = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        LocalEd25519CheckpointSigner v2 = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        CheckpointVerifier verifier = new CheckpointVerifier(Set.of(v1.verifierKey(), v2.verifierKey()));
        SignedCheckpoint old = SignedCheckpoint.sign(checkpoint(10), v1);
        SignedCheckpoint current = SignedCheckpoint.sign(checkpoint(20), v2);
        assertThat(verifier.verify(old.format(), ORIGIN)).isEqualTo(checkpoint(10));
        assertThat(verifier.verify(current.format(), ORIGIN)).isEqualTo(checkpoint(20));
    }

    @Test
    void verifyWhenSignedOnlyByAnUnknownKeyThenRejectsAsUntrusted() {
        LocalEd25519CheckpointSigner trusted = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        LocalEd25519CheckpointSigner other = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        SignedCheckpoint signed = SignedCheckpoint.sign(checkpoint(5), other);
        assertThatThrownBy(() -> new CheckpointVerifier(Set.of(trusted.verifierKey())).verify(signed.format(), ORIGIN))
                .isInstanceOfSatisfying(CheckpointException.class,
                        e -> assertThat(e.code()).isEqualTo(CheckpointException.Code.NO_TRUSTED_SIGNATURE));
    }

    @Test
    void verifyWhenTheCheckpointTextWasAlteredThenRejectsTheTrustedKeysSignature() {
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        String note = SignedCheckpoint.sign(checkpoint(5), signer).format();
        String altered = note.replaceFirst("\n5\n", "\n6\n");
        assertThatThrownBy(() -> new CheckpointVerifier(Set.of(signer.verifierKey())).verify(altered, ORIGIN))
                .isInstanceOfSatisfying(CheckpointException.class,
                        e -> assertThat(e.code()).isEqualTo(CheckpointException.Code.BAD_SIGNATURE));
    }

    @Test
    void verifyWhenAnUnknownKeyCosignsThenItsSignatureIsIgnored() {
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        LocalEd25519CheckpointSigner witness = LocalEd25519CheckpointSigner.generate("witness.example", random);
        SignedCheckpoint signed = SignedCheckpoint.sign(checkpoint(5), signer);
        SignedNote cosigned = signed.note().withSignature(witness.sign(signed.checkpoint().textBytes()));
        assertThat(new CheckpointVerifier(Set.of(signer.verifierKey())).verify(cosigned.format(), ORIGIN))
                .isEqualTo(checkpoint(5));
    }

    @Test
    void verifyWhenOriginDiffersThenRejects() {
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        String note = SignedCheckpoint.sign(checkpoint(5), signer).format();
        assertThatThrownBy(() -> new CheckpointVerifier(Set.of(signer.verifierKey())).verify(note, "other/log"))
                .isInstanceOfSatisfying(CheckpointException.class,
                        e -> assertThat(e.code()).isEqualTo(CheckpointException.Code.WRONG_ORIGIN));
    }

    @Test
    void writeKeyFileCreatesAnOwnerOnlyFileThatLoadsToTheSameKeyAndIsNeverOverwritten() throws Exception {
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, random);
        Path key = dir.resolve("keys/audit.key");
        signer.writeKeyFile(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(LocalEd25519CheckpointSigner.load(key).verifierKey()).isEqualTo(signer.verifierKey());
        assertThatThrownBy(() -> LocalEd25519CheckpointSigner.generate(ORIGIN, random).writeKeyFile(key))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(signer.toString()).doesNotContain("PRIVATE");
    }
}
