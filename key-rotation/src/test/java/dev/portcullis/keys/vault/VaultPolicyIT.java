package dev.portcullis.keys.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.testing.StackVault;

/**
 * The least-privilege Vault policies (terraform/modules/vault/policies, applied by
 * bin/lib/configure-openbao.sh) against the real OpenBao: logged in through the real AppRoles,
 * the service and the rotation job can do their work, and every forbidden request is a real 403.
 */
class VaultPolicyIT {

    private static final byte[] AD = "policy-test".getBytes(StandardCharsets.UTF_8);

    private StackVault bao;
    private VaultClient service;
    private VaultClient rotation;

    @BeforeEach
    void setUp() {
        bao = StackVault.require();
        service = bao.client(login("portcullis-service"));
        rotation = bao.client(login("portcullis-rotation"));
    }

    private VaultAuthentication login(String role) {
        String roleId = bao.root().read("auth/approle/role/" + role + "/role-id").getString("role_id", null);
        String secretId = bao.root().write("auth/approle/role/" + role + "/secret-id", Map.of()).getString("secret_id", null);
        return VaultAuthentication.appRole(roleId, SecretBytes.copyOf(secretId.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertForbidden(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(KeyException.class)
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.FORBIDDEN))
                .hasMessageContaining("HTTP 403");
    }

    @Test
    void theServiceCanWrapUnwrapAndGenerateDataKeysWithItsKek() {
        VaultTransitKeyWrapper wrapper = new VaultTransitKeyWrapper(service);
        try (SecretBytes key = SecretBytes.copyOf(new byte[32])) {
            WrappedKey wrapped = wrapper.wrap("portcullis-fields", key, AD);
            try (SecretBytes back = wrapper.unwrap(wrapped, AD)) {
                assertThat(back.equalsConstantTime(key)).isTrue();
            }
            wrapper.rewrap(wrapped, AD);
        }
        wrapper.generateDataKey("portcullis-fields", 256, AD).close();
    }

    @Test
    void theServiceCannotExportDeleteBackUpOrReconfigureItsKek() {
        assertForbidden(() -> service.read("transit/export/encryption-key/portcullis-fields"));
        assertForbidden(() -> service.read("transit/export/encryption-key/portcullis-fields/1"));
        assertForbidden(() -> service.delete("transit/keys/portcullis-fields"));
        assertForbidden(() -> service.read("transit/backup/portcullis-fields"));
        assertForbidden(() -> service.write("transit/keys/portcullis-fields/config", Map.of("deletion_allowed", true)));
        assertForbidden(() -> service.write("transit/keys/portcullis-fields/config", Map.of("exportable", true)));
        assertForbidden(() -> service.write("transit/keys/portcullis-fields/rotate", Map.of()));
        assertForbidden(() -> service.write("transit/keys/portcullis-fields/config", Map.of("min_decryption_version", 1)));
    }

    @Test
    void theServiceCannotUseOrReadAnotherKeyNorCreateOne() {
        String other = bao.newKek("someone-elses");
        assertForbidden(() -> service.read("transit/keys/" + other));
        assertForbidden(() -> service.write("transit/encrypt/" + other, Map.of("plaintext", "aGk=")));
        assertForbidden(() -> service.write("transit/decrypt/" + other, Map.of("ciphertext", "vault:v1:AAAA")));
        // Transit would create a missing key on encrypt ("upsert"): the policy grants update, not create.
        assertForbidden(() -> service.write("transit/encrypt/portcullis-new-key", Map.of("plaintext", "aGk=")));
        assertForbidden(() -> service.read("portcullis-kv/data/rotation-locks/portcullis-fields"));
        assertForbidden(() -> service.read("sys/policies/acl/portcullis-service"));
    }

    @Test
    void theServiceCanSignWithTheCheckpointKeyButNotRotateIt() {
        JsonObjectAssert.sign(service);
        assertForbidden(() -> service.write("transit/keys/portcullis-audit-checkpoint/rotate", Map.of()));
        assertForbidden(() -> service.read("transit/export/signing-key/portcullis-audit-checkpoint"));
    }

    @Test
    void theRotationJobCanRotateAndRaiseTheMinimumButNothingElse() {
        int before = rotation.read("transit/keys/portcullis-fields").getInt("latest_version", 0);
        rotation.write("transit/keys/portcullis-fields/rotate", Map.of());
        assertThat(rotation.read("transit/keys/portcullis-fields").getInt("latest_version", 0)).isEqualTo(before + 1);
        int min = rotation.read("transit/keys/portcullis-fields").getInt("min_decryption_version", 0);
        rotation.write("transit/keys/portcullis-fields/config", Map.of("min_decryption_version", min));

        assertForbidden(() -> rotation.write("transit/keys/portcullis-fields/config", Map.of("deletion_allowed", true)));
        assertForbidden(() -> rotation.write("transit/keys/portcullis-fields/config",
                Map.of("min_decryption_version", min, "exportable", true)));
        assertForbidden(() -> rotation.delete("transit/keys/portcullis-fields"));
        assertForbidden(() -> rotation.read("transit/export/encryption-key/portcullis-fields"));
        assertForbidden(() -> rotation.read("transit/backup/portcullis-fields"));
        assertForbidden(() -> rotation.write("transit/decrypt/portcullis-fields", Map.of("ciphertext", "vault:v1:AAAA")));
        assertForbidden(() -> rotation.write("transit/keys/" + bao.newKek("not-in-catalog") + "/rotate", Map.of()));
        assertForbidden(() -> rotation.read("portcullis-kv/data/something-else"));
    }

    /** Signing through the service credential. */
    private static final class JsonObjectAssert {
        static void sign(VaultClient client) {
            var signed = client.write("transit/sign/portcullis-audit-checkpoint", Map.of("input", "aGVsbG8="));
            assertThat(signed.getString("signature", "")).startsWith("vault:v");
        }
    }
}
