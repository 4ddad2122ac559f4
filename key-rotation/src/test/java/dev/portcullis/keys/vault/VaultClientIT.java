package dev.portcullis.keys.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.testing.StackVault;

/** {@link VaultClient}'s authentication and error mapping against the stack's real OpenBao. */
class VaultClientIT {

    private StackVault bao;

    @BeforeEach
    void setUp() {
        bao = StackVault.require();
    }

    private static Reason reasonOf(Throwable e) {
        return ((KeyException) e).reason();
    }

    @Test
    void aRequestThePolicyDoesNotAllowFailsAsForbidden() {
        String policy = "only-lookup-" + UUID.randomUUID().toString().substring(0, 8);
        bao.policy(policy, "path \"auth/token/lookup-self\" { capabilities = [\"read\"] }");
        VaultClient client = bao.client(VaultAuthentication.token(bao.token("10m", policy)));

        assertThatThrownBy(() -> client.read("transit/keys/portcullis-fields"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.FORBIDDEN))
                .hasMessageContaining("HTTP 403").hasMessageContaining("transit/keys/portcullis-fields");
    }

    @Test
    void aRevokedTokenFailsAsUnauthenticated() {
        String policy = "read-fields-" + UUID.randomUUID().toString().substring(0, 8);
        bao.policy(policy, "path \"transit/keys/portcullis-fields\" { capabilities = [\"read\"] }");
        String token = bao.token("10m", policy);
        VaultClient client = bao.client(VaultAuthentication.token(token));
        assertThat(client.read("transit/keys/portcullis-fields").getString("name", null)).isEqualTo("portcullis-fields");
        bao.revoke(token);

        assertThatThrownBy(() -> client.read("transit/keys/portcullis-fields"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.UNAUTHENTICATED))
                .hasMessageContaining("expired or was revoked")
                .hasMessageNotContaining(token);
    }

    @Test
    void anExpiredTokenFailsAsUnauthenticatedWithoutLeakingIt() throws InterruptedException {
        String token = bao.token("1s", "default");
        Thread.sleep(2_100); // let OpenBao expire the token; not a timing assertion

        VaultClient client = bao.client(VaultAuthentication.token(token));
        assertThatThrownBy(() -> client.read("transit/keys/portcullis-fields"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.UNAUTHENTICATED))
                .hasMessageNotContaining(token);
    }

    @Test
    void aTokenIsRenewedOnceTwoThirdsOfItsTtlHavePassed() {
        String policy = "renew-" + UUID.randomUUID().toString().substring(0, 8);
        bao.policy(policy, "path \"transit/keys/portcullis-fields\" { capabilities = [\"read\"] }");
        dev.portcullis.keys.testing.MutableClock clock = new dev.portcullis.keys.testing.MutableClock(java.time.Instant.now());
        VaultClient client = VaultClient.builder(bao.address())
                .authentication(VaultAuthentication.token(bao.token("90s", policy)))
                .allowPlaintextHttpForDevelopment().clock(clock).build();

        client.read("transit/keys/portcullis-fields");
        java.time.Instant firstExpiry = client.tokenExpiry().orElseThrow();
        assertThat(firstExpiry).isBetween(clock.instant().plusSeconds(80), clock.instant().plusSeconds(90));

        clock.advance(Duration.ofSeconds(50)); // less than 2/3 of 90 s: no renewal
        client.read("transit/keys/portcullis-fields");
        assertThat(client.tokenExpiry()).contains(firstExpiry);

        clock.advance(Duration.ofSeconds(10)); // 60 s: two thirds passed
        client.read("transit/keys/portcullis-fields");
        assertThat(client.tokenExpiry().orElseThrow())
                .as("renew-self gave a new TTL counted from now").isAfter(firstExpiry.plusSeconds(40));
    }

    @Test
    void aMissingPathIsNotFoundAndReadIfPresentIsEmpty() {
        assertThat(bao.root().readIfPresent("transit/keys/does-not-exist-" + UUID.randomUUID())).isEmpty();
        assertThatThrownBy(() -> bao.root().read("transit/keys/does-not-exist"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void anUnreachableVaultFailsAsUnavailableAfterTheRetries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int[] sleeps = {0};
        VaultClient client = VaultClient.builder(URI.create("http://127.0.0.1:" + port))
                .authentication(VaultAuthentication.token("unused-token"))
                .allowPlaintextHttpForDevelopment()
                .retryPolicy(RetryPolicy.of(3, Duration.ofMillis(1), Duration.ofMillis(5)))
                .sleeper(d -> sleeps[0]++)
                .build();

        assertThatThrownBy(() -> client.read("transit/keys/x"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.UNAVAILABLE))
                .hasMessageContaining("127.0.0.1:" + port);
        assertThat(sleeps[0]).isEqualTo(2);
    }

    @Test
    void appRoleLogsInAndLogsInAgainWhenItsTokenDies() {
        String role = "test-role-" + UUID.randomUUID().toString().substring(0, 8);
        String policy = role + "-policy";
        bao.policy(policy, "path \"transit/keys/portcullis-fields\" { capabilities = [\"read\"] }\n"
                + "path \"auth/token/lookup-self\" { capabilities = [\"read\"] }");
        Map<String, Object> roleBody = new HashMap<>();
        roleBody.put("token_policies", policy);
        roleBody.put("token_ttl", "10m");
        // Each token dies after two uses: the third read can only succeed through a new login.
        roleBody.put("token_num_uses", 2);
        bao.root().write("auth/approle/role/" + role, roleBody);
        String roleId = bao.root().read("auth/approle/role/" + role + "/role-id").getString("role_id", null);
        String secretId = bao.root().write("auth/approle/role/" + role + "/secret-id", Map.of()).getString("secret_id", null);
        VaultClient client = bao.client(VaultAuthentication.appRole(roleId,
                SecretBytes.copyOf(secretId.getBytes(java.nio.charset.StandardCharsets.UTF_8))));

        for (int i = 0; i < 5; i++) {
            assertThat(client.read("transit/keys/portcullis-fields").getString("name", null)).isEqualTo("portcullis-fields");
        }
        assertThat(client.tokenExpiry()).isPresent();
    }

    @Test
    void aWrongAppRoleSecretIdFailsAsUnauthenticatedWithoutLeakingIt() {
        VaultClient client = bao.client(VaultAuthentication.appRole("no-such-role-id",
                SecretBytes.copyOf("wrong-secret-id-value".getBytes(java.nio.charset.StandardCharsets.UTF_8))));

        assertThatThrownBy(() -> client.read("transit/keys/portcullis-fields"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.UNAUTHENTICATED))
                .hasMessageNotContaining("wrong-secret-id-value");
    }

    @Test
    void plainHttpIsRefusedUnlessAllowedForDevelopment() {
        assertThatThrownBy(() -> VaultClient.builder(URI.create("http://vault.example:8200"))
                .authentication(VaultAuthentication.token("t")).build())
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.MISCONFIGURED))
                .hasMessageContaining("must be https://");
    }
}
