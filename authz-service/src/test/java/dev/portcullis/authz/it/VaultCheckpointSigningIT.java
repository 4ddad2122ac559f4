package dev.portcullis.authz.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.checkpoint.VerifierKey;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;

/**
 * The service's audit checkpoints signed in Vault ({@code portcullis.audit.signer=vault}: the Transit
 * ed25519 key {@code portcullis-audit-checkpoint}, through the service's AppRole; no key file), and
 * how an auditor gets what they need from the admin API: the verifier key of every live version
 * and a signed checkpoint. A checkpoint signed before a rotation of the signing key (done through
 * {@code /v1/admin/keys/.../rotate}) still verifies after it, and the real CLI verifies the whole
 * log offline with the keys the service published.
 */
class VaultCheckpointSigningIT {

    private static LocalStack stack;
    private static Path work;
    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static final Http HTTP = new Http();

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.require();
        work = Files.createTempDirectory("portcullis-signing-it-");
        keycloak = new KeycloakRealm(stack);
        service = WiredService.withKeys(WiredService.withVault(stack, work))
                .property("portcullis.audit.signer", "vault")
                .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    void aCheckpointSignedBeforeARotationStillVerifiesAfterItAndTheCliVerifiesTheLog() throws IOException {
        decide("/orders/1");
        JsonNode first = checkpoint();
        List<VerifierKey> keysBefore = verifierKeys();
        int signedBy = signatureKeyId(first);
        assertThat(keysBefore).extracting(VerifierKey::keyId).contains(signedBy);
        assertThat(keysBefore).allSatisfy(k -> assertThat(k.name()).isEqualTo(first.path("origin").asString()));

        Http.Answer rotated = HTTP.post(service.uri("/v1/admin/keys/portcullis-audit-checkpoint/rotate"),
                keycloak.accessToken("sec-admin"), null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        decide("/orders/2");
        JsonNode second = checkpoint();
        List<VerifierKey> keysAfter = verifierKeys();

        assertThat(second.path("size").asLong()).isGreaterThan(first.path("size").asLong());
        assertThat(keysAfter).hasSize(keysBefore.size() + 1).containsAll(keysBefore);
        assertThat(signatureKeyId(second)).as("signed by the new version").isNotEqualTo(signedBy)
                .isEqualTo(keysAfter.get(keysAfter.size() - 1).keyId());
        CheckpointVerifier auditor = new CheckpointVerifier(keysAfter);
        Checkpoint before = auditor.verify(first.path("note").asString(), first.path("origin").asString());
        Checkpoint after = auditor.verify(second.path("note").asString(), second.path("origin").asString());
        assertThat(before.size()).isEqualTo(first.path("size").asLong());
        assertThat(after.size()).isEqualTo(second.path("size").asLong());
        // No local signing key was made: the key never left Vault.
        assertThat(work.resolve("keys/audit-checkpoint.key")).doesNotExist();

        // Offline, as an auditor: the real CLI over the log files, trusting exactly the published keys,
        // and consistent with the checkpoint saved before the rotation.
        Path saved = work.resolve("checkpoint-before-rotation.txt");
        Files.writeString(saved, first.path("note").asString());
        service.close();
        service = null;
        List<String> args = new ArrayList<>(List.of("audit", "verify", "--log-dir", work.resolve("audit").toString(),
                "--checkpoint", saved.toString(), "--no-progress"));
        keysAfter.forEach(k -> args.addAll(List.of("--trusted-key", k.toString())));
        Cli.Run verify = Cli.run(stack, args.toArray(String[]::new));
        assertThat(verify.exitCode()).as(verify.toString()).isZero();

        // Trusting only the key versions from before the rotation, the newest checkpoint is refused.
        List<String> stale = new ArrayList<>(List.of("audit", "verify", "--log-dir", work.resolve("audit").toString(),
                "--no-progress"));
        keysBefore.forEach(k -> stale.addAll(List.of("--trusted-key", k.toString())));
        Cli.Run refused = Cli.run(stack, stale.toArray(String[]::new));
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.out()).contains("CHECKPOINT_UNTRUSTED");
    }

    private static void decide(String path) {
        Http.Answer answer = HTTP.postJson(service.uri("/v1/decisions"), null,
                Map.of("method", "GET", "path", path, "token", keycloak.accessToken("alice")));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    private static JsonNode checkpoint() {
        Http.Answer answer = HTTP.get(service.uri("/v1/admin/audit/checkpoint"), keycloak.accessToken("sec-admin"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static List<VerifierKey> verifierKeys() {
        Http.Answer answer = HTTP.get(service.uri("/v1/admin/audit/verifier-keys"), keycloak.accessToken("sec-admin"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<VerifierKey> keys = new ArrayList<>();
        answer.json().path("keys").forEach(k -> keys.add(VerifierKey.parse(k.asString())));
        return keys;
    }

    private static int signatureKeyId(JsonNode checkpoint) {
        SignedCheckpoint signed = SignedCheckpoint.parse(checkpoint.path("note").asString());
        assertThat(signed.note().signatures()).hasSize(1);
        return signed.note().signatures().get(0).keyId();
    }
}
