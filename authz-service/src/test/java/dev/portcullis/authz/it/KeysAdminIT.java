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

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.fields.keys.DataKeyRepository;
import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;

/**
 * Key management wired into the running service (issue 5), driven the way a security admin drives
 * it: the real {@code portcullis keys list|status|rotate|rewrap} CLI (its own process, from the jar
 * {@code bin/portcullis} runs) against {@code /v1/admin/keys},
 * with real tokens from the stack's Keycloak, the keys in the stack's OpenBao, the service holding
 * only its two AppRole credentials. Alice (no security-admin role) is refused by the API and the
 * CLI says so.
 */
class KeysAdminIT {

    private static LocalStack stack;
    private static Path work;
    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static final Http HTTP = new Http();

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.require();
        work = Files.createTempDirectory("portcullis-keys-it-");
        keycloak = new KeycloakRealm(stack);
        service = WiredService.withFields(WiredService.withKeys(WiredService.withVault(stack, work)), work).start();
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
    void cliListsTheCatalogWithAnAdminToken() throws IOException {
        Cli.Run run = cli("keys", "list", "--output", "json");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<String> names = new ArrayList<>();
        Http.JSON.readTree(run.out()).path("keys").forEach(k -> names.add(k.path("name").asString()));
        assertThat(names).containsExactlyInAnyOrder("portcullis-fields", "portcullis-audit-checkpoint");
        JsonNode fields = find(Http.JSON.readTree(run.out()).path("keys"), "portcullis-fields");
        assertThat(fields.path("purpose").asString()).isEqualTo("field-encryption-kek");
        assertThat(fields.path("rotation").asString()).isEqualTo("P30D");
    }

    @Test
    void cliRewrapThenStatusShowsNoPendingWork() throws IOException {
        Cli.Run rewrap = cli("keys", "rewrap", "portcullis-fields", "--output", "json", "--no-progress");
        assertThat(rewrap.exitCode()).as(rewrap.toString()).isZero();
        JsonNode result = Http.JSON.readTree(rewrap.out());
        assertThat(result.path("event").asString()).isEqualTo("result");
        assertThat(result.path("complete").asBoolean()).isTrue();
        assertThat(result.path("failed").asLong()).isZero();

        Cli.Run status = cli("keys", "status", "--output", "json");

        assertThat(status.exitCode()).as(status.toString()).isZero();
        for (JsonNode key : Http.JSON.readTree(status.out()).path("keys")) {
            assertThat(key.path("pending").isNull()).as(key.toString()).isTrue();
            assertThat(key.path("overdue").asBoolean()).as(key.toString()).isFalse();
            assertThat(key.path("latest_version").asInt()).isPositive();
        }
        JsonNode fields = find(Http.JSON.readTree(status.out()).path("keys"), "portcullis-fields");
        assertThat(fields.path("rewrapped_to").asInt()).isEqualTo(fields.path("latest_version").asInt());
    }

    @Test
    void cliRotatesTheKekReWrapsTheFieldKeyStoreAndEveryStepIsAuditedWithTheAdminAsActor() throws IOException {
        // A stored data key, so that the rotation has something to re-wrap.
        Http.Answer encrypted = HTTP.postJson(service.uri("/v1/fields/encrypt"), keycloak.accessToken("alice"),
                Map.of("tenant", "acme", "document_type", "patient", "record_id", "p-keys-it", "subject", "ada",
                        "document", Map.of("name", "Ada", "email", "ada@example.test")));
        assertThat(encrypted.status()).as(encrypted.body()).isEqualTo(200);
        int before = status("portcullis-fields").path("latest_version").asInt();
        long auditBefore = service.audit().size();

        Cli.Run run = cli("keys", "rotate", "portcullis-fields", "--output", "json");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode answer = Http.JSON.readTree(run.out());
        assertThat(answer.path("outcome").asString()).isEqualTo("rotated");
        assertThat(answer.path("status").path("latest_version").asInt()).isEqualTo(before + 1);
        assertThat(answer.path("status").path("rewrapped_to").asInt()).isEqualTo(before + 1);
        assertThat(answer.path("status").path("min_decryption_version").asInt()).isEqualTo(before);
        assertThat(answer.path("status").path("pending").isNull()).isTrue();
        // Every stored data key is now wrapped under the new version (the scheduler's re-wrap ran
        // over the same store the field endpoints use).
        DataKeyRepository store = new FileDataKeyRepository(work.resolve("field-keys"));
        assertThat(store.listWrappedKeys()).isNotEmpty()
                .allSatisfy(k -> assertThat(k.wrapped().kekVersion()).isEqualTo(before + 1));

        List<AuditEvent> events = service.audit().events().subList((int) auditBefore, (int) service.audit().size());
        assertThat(events).filteredOn(e -> e.type() == EventType.KEY_ROTATED && "rotate".equals(e.action()))
                .singleElement().satisfies(e -> {
                    assertThat(e.resource()).isEqualTo("portcullis-fields");
                    assertThat(e.actor().subject()).isEqualTo("sec-admin");
                });
        assertThat(events).filteredOn(e -> e.type() == EventType.KEY_REWRAPPED)
                .isNotEmpty().allSatisfy(e -> assertThat(e.actor().subject()).isEqualTo("sec-admin"));
        assertThat(events).filteredOn(e -> e.type() == EventType.ADMIN_ACTION && "rotate-key".equals(e.action()))
                .singleElement().satisfies(e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
                    assertThat(e.actor().subject()).isEqualTo("sec-admin");
                    assertThat(e.actor().ip()).isEqualTo("127.0.0.1");
                    assertThat(e.resource()).isEqualTo("key:portcullis-fields");
                });
    }

    @Test
    void aliceIsRefusedByTheApiAndTheCliSaysSo() throws IOException {
        int before = status("portcullis-fields").path("latest_version").asInt();
        Path aliceToken = tokenFile("alice");

        Cli.Run list = Cli.run(stack, "keys", "list", "--url", service.uri("").toString(), "--token-file", aliceToken.toString());
        Cli.Run rotate = Cli.run(stack, "keys", "rotate", "portcullis-fields", "--url", service.uri("").toString(),
                "--token-file", aliceToken.toString());

        assertThat(list.exitCode()).as(list.toString()).isEqualTo(1);
        assertThat(list.err()).contains("HTTP 403");
        assertThat(rotate.exitCode()).as(rotate.toString()).isEqualTo(1);
        assertThat(rotate.err()).contains("HTTP 403");
        assertThat(HTTP.get(service.uri("/v1/admin/keys"), keycloak.accessToken("alice")).status()).isEqualTo(403);
        assertThat(HTTP.post(service.uri("/v1/admin/keys/portcullis-fields/rewrap"), keycloak.accessToken("alice"), null)
                .status()).isEqualTo(403);
        assertThat(status("portcullis-fields").path("latest_version").asInt()).as("alice rotated nothing").isEqualTo(before);
    }

    @Test
    void anUnknownKeyIs404AndTheRefusedRequestIsAudited() throws IOException {
        Cli.Run run = cli("keys", "rotate", "no-such-key");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        Http.Answer answer = HTTP.post(service.uri("/v1/admin/keys/no-such-key/rotate"), keycloak.accessToken("sec-admin"), null);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().path("error").asString()).isEqualTo("not_found");
        assertThat(service.audit().events()).filteredOn(e -> e.type() == EventType.ADMIN_ACTION
                        && "key:no-such-key".equals(e.resource()))
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.FAILURE);
                    assertThat(e.reason()).isEqualTo("not_found");
                });
    }

    @Test
    void healthAndMetricsReportTheKeys() {
        Http.Answer health = HTTP.get(service.managementUri("/actuator/health"), null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("components").path("keys").path("status").asString()).isEqualTo("UP");

        Http.Answer metrics = HTTP.get(service.managementUri("/actuator/prometheus"), null);
        assertThat(metrics.body()).contains("portcullis_keys_age_seconds{").contains("key=\"portcullis-fields\"")
                .contains("portcullis_keys_overdue{");
    }

    private static JsonNode status(String name) {
        Http.Answer answer = HTTP.get(service.uri("/v1/admin/keys/" + name), keycloak.accessToken("sec-admin"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static JsonNode find(JsonNode keys, String name) {
        for (JsonNode key : keys) {
            if (name.equals(key.path("name").asString())) {
                return key;
            }
        }
        throw new AssertionError("no key " + name + " in " + keys);
    }

    /** Runs the CLI as sec-admin against this service (plain http to 127.0.0.1, which the CLI allows). */
    private static Cli.Run cli(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", service.uri("").toString(), "--token-file", tokenFile("sec-admin").toString()));
        return Cli.run(stack, all.toArray(String[]::new));
    }

    /** A fresh access token of {@code user} in a 0600 file (the CLI never takes a token as an argument). */
    private static Path tokenFile(String user) throws IOException {
        return keycloak.accessTokenFile(user, work);
    }
}
