package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.Checker;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.OwnOpa;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The policy engine fails under a running service: an OPA of the test's own (the stack's binary,
 * serving the project's policies/) is stopped, or frozen with SIGSTOP so that it accepts
 * connections and never answers. Every answer meanwhile is a deny (503, the policy_error reason),
 * never a 200, and each is audited with outcome {@code error}; the circuit breaker opens; when OPA
 * is back the service recovers by itself.
 */
class OpaFailureIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);

    private static OwnOpa opa;
    private static AuthzService service;
    private static Checker checker;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void start() throws Exception {
        LocalStack stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-opa-it-");
        opa = OwnOpa.start(stack, work);
        service = AuthzService.builder(stack, work.resolve("service"))
                .property("portcullis.opa.url", opa.url().toString())
                .property("portcullis.opa.timeout", "300ms")
                // Opens after 2 of the last 4 calls failed; asks again after 1 s.
                .property("portcullis.opa.circuit-window", "4")
                .property("portcullis.opa.circuit-open-for", "1s")
                .start();
        checker = new Checker(service);
        try (KeycloakRealm keycloak = new KeycloakRealm(stack)) {
            alice = keycloak.accessToken("alice");
            bob = keycloak.accessToken("bob");
        }
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (opa != null) {
            opa.close();
        }
    }

    @BeforeEach
    void policyAnswers() {
        checker.awaitAnswer(alice, a -> a.statusCode() == 200, RECOVERY_LIMIT);
    }

    /** Asks {@code count} times; asserts each answer is a 503 deny audited as an error; returns the reasons. */
    private List<String> denyWhileDown(int count) throws Exception {
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> answer = checker.check(alice);
            assertThat(answer.statusCode()).as("answer %d while OPA is down", i).isEqualTo(503);
            assertThat(answer.headers().firstValue("x-portcullis-subject")).isEmpty();
            JsonNode body = JSON.readTree(answer.body());
            assertThat(body.get("error").stringValue()).isEqualTo("temporarily_unavailable");
            AuditEvent event = service.audit().event(Checker.decisionId(answer));
            assertThat(event.type()).isEqualTo(EventType.AUTHZ_DECISION);
            assertThat(event.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(event.actor().subject()).isEqualTo("alice");
            assertThat(event.attributes()).containsEntry("status", 503L);
            reasons.add(event.reason());
        }
        return reasons;
    }

    private static JsonNode health() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.managementUri("/actuator/health"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        }
    }

    @Test
    void whilePolicyAnswersBobIsDeniedByThePolicyNotByAnError() {
        HttpResponse<String> answer = checker.check(bob);

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(service.audit().event(Checker.decisionId(answer)).outcome()).isEqualTo(Outcome.DENY);
    }

    @Test
    void whenOpaIsStoppedEveryAnswerIsADenyTheCircuitOpensAndItRecoversWhenOpaIsBack() throws Exception {
        opa.stop();
        List<String> reasons;
        JsonNode down;
        try {
            reasons = denyWhileDown(8);
            down = health();
        } finally {
            opa.restart();
        }

        // The first call finds OPA gone; once 2 of the last 4 calls failed the breaker stops asking.
        assertThat(reasons.get(0)).isEqualTo("policy_error:unreachable");
        assertThat(reasons).allMatch(r -> r.equals("policy_error:unreachable") || r.equals("policy_error:circuit_open"));
        assertThat(reasons).contains("policy_error:circuit_open");
        assertThat(down.get("status").stringValue()).isEqualTo("DOWN");
        assertThat(down.at("/components/opa/status").stringValue()).isEqualTo("DOWN");

        HttpResponse<String> recovered = checker.awaitAnswer(alice, a -> a.statusCode() != 503, RECOVERY_LIMIT);
        assertThat(recovered.statusCode()).isEqualTo(200);
        assertThat(recovered.headers().firstValue("x-portcullis-subject")).contains("alice");
        assertThat(checker.check(bob).statusCode()).isEqualTo(403);
        assertThat(health().at("/components/opa/status").stringValue()).isEqualTo("UP");
    }

    @Test
    void whenOpaIsFrozenEveryAnswerIsADenyAfterTheTimeoutAndItRecoversWhenOpaIsThawed() throws Exception {
        opa.freeze();
        List<String> reasons;
        try {
            reasons = denyWhileDown(6);
        } finally {
            opa.thaw();
        }

        assertThat(reasons.get(0)).isEqualTo("policy_error:timeout");
        assertThat(reasons).allMatch(r -> r.equals("policy_error:timeout") || r.equals("policy_error:circuit_open"));
        assertThat(reasons).contains("policy_error:circuit_open");

        HttpResponse<String> recovered = checker.awaitAnswer(alice, a -> a.statusCode() != 503, RECOVERY_LIMIT);
        assertThat(recovered.statusCode()).isEqualTo(200);
    }
}
