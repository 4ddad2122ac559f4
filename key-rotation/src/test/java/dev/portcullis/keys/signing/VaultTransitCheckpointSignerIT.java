package dev.portcullis.keys.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.checkpoint.VerifierKey;
import dev.portcullis.keys.testing.StackVault;

/** Audit checkpoints signed by a Vault Transit ed25519 key, verified offline with the audit-log verifier. */
class VaultTransitCheckpointSignerIT {

    private static final String ORIGIN = "portcullis.test/audit/it";

    private static Checkpoint checkpoint(long size, int fill) {
        byte[] root = new byte[32];
        java.util.Arrays.fill(root, (byte) fill);
        return new Checkpoint(ORIGIN, size, root);
    }

    @Test
    void checkpointsSignedBeforeAndAfterARotationAllVerifyWithTheVersionsKeys() {
        StackVault bao = StackVault.require();
        String key = bao.newKey("checkpoint", "ed25519", false);
        VaultTransitCheckpointSigner signer = new VaultTransitCheckpointSigner(bao.root(), key, ORIGIN);

        SignedCheckpoint before = SignedCheckpoint.sign(checkpoint(10, 1), signer);
        bao.rotate(key);
        SignedCheckpoint after = SignedCheckpoint.sign(checkpoint(20, 2), signer);

        List<VerifierKey> trusted = signer.verifierKeys();
        assertThat(trusted).hasSize(2);
        assertThat(trusted.get(0).keyId()).isNotEqualTo(trusted.get(1).keyId());
        CheckpointVerifier verifier = new CheckpointVerifier(trusted);
        assertThat(verifier.verify(SignedCheckpoint.parse(before.format()), ORIGIN).size()).isEqualTo(10);
        assertThat(verifier.verify(SignedCheckpoint.parse(after.format()), ORIGIN).size()).isEqualTo(20);
        assertThat(before.note().signatures().get(0).keyId()).isEqualTo(trusted.get(0).keyId());
        assertThat(after.note().signatures().get(0).keyId()).isEqualTo(trusted.get(1).keyId());

        // Only the newest key trusted: the old checkpoint is not accepted.
        CheckpointVerifier newestOnly = new CheckpointVerifier(List.of(trusted.get(1)));
        assertThatThrownBy(() -> newestOnly.verify(SignedCheckpoint.parse(before.format()), ORIGIN))
                .isInstanceOf(CheckpointException.class);
    }

    @Test
    void anAlteredCheckpointDoesNotVerify() {
        StackVault bao = StackVault.require();
        String key = bao.newKey("checkpoint", "ed25519", false);
        VaultTransitCheckpointSigner signer = new VaultTransitCheckpointSigner(bao.root(), key, ORIGIN);
        String note = SignedCheckpoint.sign(checkpoint(10, 1), signer).format();
        String altered = note.replaceFirst("\n10\n", "\n11\n");

        assertThatThrownBy(() -> new CheckpointVerifier(signer.verifierKeys()).verify(SignedCheckpoint.parse(altered), ORIGIN))
                .isInstanceOf(CheckpointException.class)
                .satisfies(e -> assertThat(((CheckpointException) e).code()).isEqualTo(CheckpointException.Code.BAD_SIGNATURE));
    }

    @Test
    void aKeyThatIsNotEd25519IsRefusedAsSigningFailed() {
        StackVault bao = StackVault.require();
        String key = bao.newKey("checkpoint-ecdsa", "ecdsa-p256", false);
        VaultTransitCheckpointSigner signer = new VaultTransitCheckpointSigner(bao.root(), key, ORIGIN);

        assertThatThrownBy(() -> signer.sign(checkpoint(1, 1).textBytes()))
                .isInstanceOf(CheckpointException.class)
                .satisfies(e -> assertThat(((CheckpointException) e).code()).isEqualTo(CheckpointException.Code.SIGNING_FAILED));
    }

    @Test
    void theStackCheckpointKeySignsWithTheServicePolicy() {
        StackVault bao = StackVault.require();
        String roleId = bao.root().read("auth/approle/role/portcullis-service/role-id").getString("role_id", null);
        String secretId = bao.root().write("auth/approle/role/portcullis-service/secret-id", java.util.Map.of()).getString("secret_id", null);
        var service = bao.client(dev.portcullis.keys.vault.VaultAuthentication.appRole(roleId,
                dev.portcullis.keys.SecretBytes.copyOf(secretId.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        VaultTransitCheckpointSigner signer = new VaultTransitCheckpointSigner(service, "portcullis-audit-checkpoint", ORIGIN);

        SignedCheckpoint signed = SignedCheckpoint.sign(checkpoint(5, 3), signer);
        assertThat(new CheckpointVerifier(signer.verifierKeys()).verify(signed, ORIGIN).size()).isEqualTo(5);
    }
}
