package dev.portcullis.authz.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;

/**
 * Online anomaly detection on the running service's own audit log (issue 7): real requests with bad
 * tokens through {@code /v1/check} (the nginx protocol from loopback, so the source address is the
 * {@code X-Real-IP} it forwards) are audited as {@code authn.failure}; the detectors following the
 * live log raise alerts that an admin lists through {@code /v1/admin/anomalies}, and the responses
 * act on the real servers: the block-list response makes the real OPA deny that source's next
 * request ({@code blocked:} reason) until an admin lifts the block with the real CLI
 * ({@code portcullis anomalies blocks|unblock}, its own process); the Keycloak response declines to
 * act on a subject that only forged tokens claimed (the user's session keeps working).
 *
 * <p>The time from the event that completed the pattern to the alert is measured and printed (see
 * docs/anomaly-detection.md); it is not asserted: polls have generous deadlines.
 */
class OnlineAnomalyDetectionIT {

    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static LocalStack stack;
    private static Path work;
    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static final List<String> blocked = new ArrayList<>();
    private static final List<String> usersToDelete = new ArrayList<>();
    private static final Http HTTP = new Http();

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.require();
        work = Files.createTempDirectory("portcullis-anomaly-it-");
        keycloak = new KeycloakRealm(stack);
        service = AuthzService.builder(stack, work)
                .property("portcullis.anomaly.enabled", "true")
                .property("portcullis.anomaly.state-directory", work.resolve("anomaly").toString())
                .property("portcullis.anomaly.responses.blocklist.mode", "enforce")
                .property("portcullis.anomaly.responses.blocklist.block-for", "10m")
                .property("portcullis.anomaly.responses.blocklist.protected-values", "alice,bob,sec-admin,127.0.0.1")
                .property("portcullis.anomaly.responses.keycloak.mode", "enforce")
                .property("portcullis.anomaly.responses.keycloak.url", stack.get("keycloak.url"))
                .property("portcullis.anomaly.responses.keycloak.client-id", stack.get("keycloak.responder.client-id"))
                .property("portcullis.anomaly.responses.keycloak.client-secret", stack.get("keycloak.responder.secret"))
                // The stack's demo users are shared by every test: never lock them out.
                .property("portcullis.anomaly.responses.keycloak.protected-values", "alice,bob,sec-admin")
                .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        // The block list lives in OPA's memory, which other tests of this stack share: take ours out.
        for (String key : blocked) {
            String patch = "[{\"op\": \"remove\", \"path\": \"/entries/" + key.replace("~", "~0").replace("/", "~1") + "\"}]";
            HTTP.send(URI.create(stack.get("opa.addr") + "/v1/data/portcullis/blocklist"), "PATCH",
                    Map.of("Content-Type", "application/json-patch+json"), patch);
        }
        if (keycloak != null) {
            usersToDelete.forEach(id -> keycloak.admin().users().get(id).remove());
            keycloak.close();
        }
    }

    @Test
    void aCredentialStuffingBurstRaisesAnAlertAndTheBlockListMakesOpaDenyTheSourcesNextRequest() {
        String ip = "198.51.100." + (1 + RANDOM.nextInt(254));
        blocked.add("ip:" + ip);
        // 24 failed logins for 12 different claimed users from one address (the detector: >= 20 for >= 10).
        for (int i = 0; i < 24; i++) {
            Http.Answer answer = check(ip, unsignedToken("stuffed-user-" + (i % 12)));
            assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        }
        Instant lastSent = Instant.now();

        JsonNode record = awaitAlert("credential-stuffing", "ip", ip);
        Instant seen = Instant.now();

        JsonNode alert = record.path("alert");
        assertThat(alert.path("severity").asString()).isIn("high", "critical");
        assertThat(alert.path("explanation").asString()).contains("failed");
        AuditEvent detected = service.audit().event(record.path("id").asString());
        assertThat(detected.type()).isEqualTo(EventType.ANOMALY_DETECTED);
        assertThat(detected.resource()).isEqualTo("ip:" + ip);
        report("credential-stuffing", record, lastSent, seen);

        // The block-list response pushed the address to OPA (audited); the next request from it,
        // with alice's perfectly valid token, is denied by the policy.
        awaitAudited("block", "opa:blocklist/ip:" + ip);
        Http.Answer decision = HTTP.postJson(service.uri("/v1/decisions"), null,
                Map.of("method", "GET", "path", "/orders/1", "token", keycloak.accessToken("alice"), "source_ip", ip));
        assertThat(decision.status()).isEqualTo(200);
        assertThat(decision.json().path("allow").asBoolean()).isFalse();
        assertThat(decision.json().path("status").asInt()).isEqualTo(403);
        assertThat(decision.json().path("reasons").toString()).contains("blocked:ip:" + ip);
        Http.Answer proxied = check(ip, keycloak.accessToken("alice"));
        assertThat(proxied.status()).isEqualTo(403);
        // The same token from another address is still allowed: only the attacker's address is blocked.
        assertThat(check("198.51.100.0", keycloak.accessToken("alice")).status()).isEqualTo(200);

        // An admin lifts the block (a response can be wrong) with the real CLI, its own process,
        // through the admin API: audited, and the address passes again.
        Cli.Run listed = cli("sec-admin", "anomalies", "blocks", "--output", "json");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(Http.JSON.readTree(listed.out()).path("blocks").toString()).contains("\"key\":\"ip:" + ip + "\"");
        assertThat(cli("sec-admin", "anomalies", "blocks").out()).as("the table").contains("ip:" + ip).contains("credential-stuffing");
        Cli.Run notAdmin = cli("alice", "anomalies", "unblock", "ip:" + ip);
        assertThat(notAdmin.exitCode()).as(notAdmin.toString()).isEqualTo(1);
        assertThat(notAdmin.err()).contains("HTTP 403");
        assertThat(check(ip, keycloak.accessToken("alice")).status()).as("still blocked").isEqualTo(403);
        Cli.Run lifted = cli("sec-admin", "anomalies", "unblock", "ip:" + ip);
        assertThat(lifted.exitCode()).as(lifted.toString()).isZero();
        assertThat(lifted.out().strip()).isEqualTo("unblocked ip:" + ip);
        assertThat(service.audit().events()).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(EventType.ADMIN_ACTION);
            assertThat(e.action()).isEqualTo("unblock");
            assertThat(e.resource()).isEqualTo("opa:blocklist/ip:" + ip);
            assertThat(e.actor().subject()).isEqualTo("sec-admin");
        });
        assertThat(check(ip, keycloak.accessToken("alice")).status()).as("unblocked").isEqualTo(200);
        assertThat(HTTP.get(service.uri("/v1/admin/anomalies/blocks"), keycloak.accessToken("sec-admin")).body())
                .as("the reconciler has nothing to put back").doesNotContain("ip:" + ip);
        Cli.Run again = cli("sec-admin", "anomalies", "unblock", "ip:" + ip);
        assertThat(again.exitCode()).as("no such block any more: " + again).isEqualTo(1);
        assertThat(again.err()).contains("no block has the key ip:" + ip);

        // The admin acknowledges it with the CLI: recorded as their admin.action, then the record says so.
        String alertId = record.path("id").asString();
        Cli.Run ack = cli("sec-admin", "anomalies", "ack", alertId, "--note", "blocked by the response; checked", "--output", "json");
        assertThat(ack.exitCode()).as(ack.toString()).isZero();
        assertThat(Http.JSON.readTree(ack.out()).path("acknowledged").path("by").asString()).isEqualTo("sec-admin");
        assertThat(service.audit().events()).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(EventType.ADMIN_ACTION);
            assertThat(e.action()).isEqualTo("acknowledge-alert");
            assertThat(e.resource()).isEqualTo("anomaly:" + alertId);
            assertThat(e.actor().subject()).isEqualTo("sec-admin");
        });
        Cli.Run alerts = cli("sec-admin", "anomalies", "list", "--all", "--output", "json");
        assertThat(alerts.exitCode()).as(alerts.toString()).isZero();
        assertThat(alerts.out()).contains("\"id\":\"" + alertId + "\"").contains("\"note\":\"blocked by the response; checked\"");
        assertThat(cli("alice", "anomalies", "list").exitCode()).as("not an admin").isEqualTo(1);
        assertThat(HTTP.get(service.uri("/v1/admin/anomalies"), keycloak.accessToken("alice")).status()).isEqualTo(403);
    }

    /** The real {@code portcullis} CLI against the service, with a fresh access token of {@code user} in a file. */
    private static Cli.Run cli(String user, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        try {
            all.addAll(List.of("--url", service.uri("").toString(), "--token-file", keycloak.accessTokenFile(user, work).toString()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Cli.run(stack, all.toArray(String[]::new));
    }

    @Test
    void forgedTokensClaimingOneUserRaiseABruteForceAlertButNoResponseActsOnThatUser() {
        // Anyone can send tokens that claim to be anyone: acting on such an alert would let an
        // anonymous attacker have any account (an administrator's) disabled, every cooldown again.
        String victim = "victim-" + UUID.randomUUID().toString().substring(0, 8);
        createUser(victim);
        String refreshToken = keycloak.passwordGrant(KeycloakRealm.CLI_CLIENT, victim, victim).get("refresh_token").stringValue();
        Http.Answer before = refresh(refreshToken);
        assertThat(before.status()).as("the session works before the attack").isEqualTo(200);
        // The realm revokes a refresh token once used: go on with the one this refresh returned.
        refreshToken = before.json().path("refresh_token").asString();
        String ip = "198.51.100." + (1 + RANDOM.nextInt(254));
        blocked.add("ip:" + ip);
        blocked.add("subject:" + victim);

        for (int i = 0; i < 12; i++) {
            assertThat(check(ip, unsignedToken(victim)).status()).isEqualTo(401);
        }
        Instant lastSent = Instant.now();

        JsonNode record = awaitAlert("brute-force", "subject", victim);
        Instant seen = Instant.now();
        report("brute-force", record, lastSent, seen);
        AuditEvent declined = awaitAudited("respond", "keycloak:portcullis/user/" + victim, "not_applicable");
        assertThat(declined.attributes().get("detail").toString()).contains("claimed");

        Http.Answer refreshed = refresh(refreshToken);
        assertThat(refreshed.status()).as("the victim's session after the attack: " + refreshed.body()).isEqualTo(200);
        assertThat(keycloak.admin().users().get(usersToDelete.get(usersToDelete.size() - 1)).toRepresentation().isEnabled())
                .as("still enabled").isTrue();
    }

    @Test
    void statusShowsTheDetectorFollowingTheLog() {
        Http.Answer status = HTTP.get(service.uri("/v1/admin/anomalies/status"), keycloak.accessToken("sec-admin"));
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().path("running").asBoolean()).isTrue();
        assertThat(status.json().path("next_index").asLong()).isNotNegative();
        Http.Answer health = HTTP.get(service.managementUri("/actuator/health"), null);
        assertThat(health.json().path("components").path("anomalyDetection").path("status").asString()).isEqualTo("UP");
    }

    /** The alert about {@code kind:value} from {@code detector}, as an admin lists it (polled). */
    private static JsonNode awaitAlert(String detector, String kind, String value) {
        return await(() -> {
            Http.Answer list = HTTP.get(service.uri("/v1/admin/anomalies?all=true&limit=1000"), keycloak.accessToken("sec-admin"));
            assertThat(list.status()).as(list.body()).isEqualTo(200);
            for (JsonNode record : list.json().path("alerts")) {
                JsonNode alert = record.path("alert");
                if (detector.equals(alert.path("detector").asString()) && kind.equals(alert.path("entity").path("kind").asString())
                        && value.equals(alert.path("entity").path("value").asString())) {
                    return Optional.of(record);
                }
            }
            return Optional.empty();
        }, "a " + detector + " alert about " + kind + ":" + value);
    }

    /** Waits until the dispatcher audited the response {@code action} on {@code target}. */
    private static void awaitAudited(String action, String target) {
        awaitAudited(action, target, "applied");
    }

    private static AuditEvent awaitAudited(String action, String target, String status) {
        AuditEvent event = await(() -> service.audit().events().stream()
                .filter(e -> e.type() == EventType.ADMIN_ACTION && action.equals(e.action()) && target.equals(e.resource()))
                .findFirst(), "the " + action + " response on " + target);
        assertThat(event.attributes().get("status")).as(event.toString()).isEqualTo(status);
        assertThat(event.actor().subject()).isEqualTo("system:anomaly-response");
        return event;
    }

    /**
     * Prints how long the alert took: from the logged event that completed the pattern (the last of
     * its evidence) to the alert's detection time, both on the service's clock; and from the test's
     * last request to the test seeing the alert through the admin API (includes the poll).
     */
    private static void report(String detector, JsonNode record, Instant lastSent, Instant seen) {
        JsonNode ids = record.path("alert").path("event_ids");
        AuditEvent trigger = service.audit().event(ids.get(ids.size() - 1).asString());
        Instant detectedAt = Instant.parse(record.path("detected_at").asString());
        System.out.printf("anomaly latency (%s): triggering event -> alert %d ms; last request sent -> alert listed %d ms%n",
                detector, Duration.between(trigger.time(), detectedAt).toMillis(), Duration.between(lastSent, seen).toMillis());
    }

    private static Http.Answer check(String sourceIp, String token) {
        return HTTP.send(service.uri("/v1/check"), "GET", Map.of("X-Original-Method", "GET", "X-Original-URI", "/orders/1",
                "X-Real-IP", sourceIp, "Authorization", "Bearer " + token, "User-Agent", "anomaly-it"));
    }

    /** A token that claims {@code user} but is not signed (alg none): rejected, its claimed subject audited. */
    private static String unsignedToken(String user) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"iss\":\"" + keycloak.issuer() + "\",\"preferred_username\":\"" + user
                + "\",\"aud\":\"orders-api\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + ".";
    }

    private static Http.Answer refresh(String refreshToken) {
        String form = "grant_type=refresh_token&client_id=" + KeycloakRealm.CLI_CLIENT + "&refresh_token="
                + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8);
        return HTTP.send(URI.create(keycloak.issuer() + "/protocol/openid-connect/token"), "POST",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), form);
    }

    private static void createUser(String name) {
        UserRepresentation user = new UserRepresentation();
        user.setUsername(name);
        user.setEnabled(true);
        user.setEmail(name + "@portcullis.test");
        user.setEmailVerified(true);
        user.setFirstName("Victim");
        user.setLastName("Test");
        CredentialRepresentation password = new CredentialRepresentation();
        password.setType(CredentialRepresentation.PASSWORD);
        password.setValue(name);
        password.setTemporary(false);
        user.setCredentials(List.of(password));
        try (Response created = keycloak.admin().users().create(user)) {
            usersToDelete.add(CreatedResponseUtil.getCreatedId(created));
        }
    }

    private static <T> T await(Supplier<Optional<T>> probe, String what) {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (true) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("gave up waiting for " + what + " after " + DEADLINE);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
