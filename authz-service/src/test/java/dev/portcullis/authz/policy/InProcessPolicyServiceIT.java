package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.Checker;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.PolicyWasmBuild;
import dev.portcullis.testing.LocalStack;

/**
 * The service with the in-process engine switched on as {@code bin/dev} switches it on: the
 * module built by {@code bin/lib/policy-wasm.sh} from the {@code policies/} the stack's OPA serves.
 * Checks through the whole path are decided in-process (counted by the engine and in the
 * {@code portcullis.policy.wasm.decisions} metric), answered and audited as OPA's decisions are.
 */
class InProcessPolicyServiceIT {

    private static AuthzService service;
    private static Checker checker;
    private static WasmPolicyEngine engine;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void start() throws Exception {
        LocalStack stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-wasm-service-it-");
        Path bundle = PolicyWasmBuild.build(stack, work);
        service = AuthzService.builder(stack, work.resolve("service"))
                .property("portcullis.opa.wasm.enabled", "true")
                .property("portcullis.opa.wasm.bundle", bundle.toString())
                .property("portcullis.opa.wasm.warm-up-evaluations", "200")
                .start();
        checker = new Checker(service);
        engine = service.context().getBean(WasmPolicyEngine.class);
        try (KeycloakRealm keycloak = new KeycloakRealm(stack)) {
            alice = keycloak.accessToken("alice");
            bob = keycloak.accessToken("bob");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!engine.warm() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(engine.warm()).as("warmed up within 60 s").isTrue();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void checksAreDecidedInProcessAnsweredAndAuditedAsOpasDecisionsAre() throws Exception {
        long before = engine.inProcess();
        // The revision watcher may not have read OPA yet right after the start: OPA decides until it has.
        checker.awaitAnswer(alice, a -> a.statusCode() == 200 && engine.inProcess() > before, Duration.ofSeconds(30));
        long inProcess = engine.inProcess();

        HttpResponse<String> allowed = checker.check(alice);
        HttpResponse<String> denied = checker.check(bob);

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("x-portcullis-subject")).hasValue("alice");
        assertThat(allowed.headers().firstValue("x-portcullis-route")).hasValue("orders-read");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(engine.inProcess()).as("both decided in-process").isEqualTo(inProcess + 2);
        assertThat(service.audit().event(Checker.decisionId(allowed)).outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(service.audit().event(Checker.decisionId(allowed)).reason()).contains("role:order-reader");
        assertThat(service.audit().event(Checker.decisionId(denied)).outcome()).isEqualTo(Outcome.DENY);
        assertThat(service.audit().event(Checker.decisionId(denied)).reason()).contains("missing_role:order-reader");

        try (HttpClient http = HttpClient.newHttpClient()) {
            String metrics = http.send(HttpRequest.newBuilder(service.managementUri("/actuator/prometheus")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern(
                    "portcullis_policy_wasm_decisions_total\\{[^}]*by=\"wasm\",reason=\"in_process\"} [1-9]");
            assertThat(metrics).containsPattern(
                    "portcullis_policy_wasm_decisions_total\\{[^}]*by=\"opa\",reason=\"policy_differs\"} 0.0");
        }
    }
}
