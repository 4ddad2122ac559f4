package dev.portcullis.authz.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis decide} (the contract's what-if decision), run as its own process against the
 * running service with Keycloak's tokens and the stack's OPA: the answer is the service's, audited.
 */
class DecideCommandIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static LocalStack stack;
    private static Path work;
    private static KeycloakRealm keycloak;
    private static AuthzService service;

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.require();
        work = Files.createTempDirectory("portcullis-decide-it-");
        keycloak = new KeycloakRealm(stack);
        service = AuthzService.builder(stack, work.resolve("service")).start();
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

    private static Cli.Run decide(String... args) {
        List<String> all = new ArrayList<>(List.of("decide", "--url", service.uri("").toString()));
        all.addAll(List.of(args));
        return Cli.run(stack, all.toArray(String[]::new));
    }

    private static Path tokenFile(String user) throws IOException {
        return keycloak.accessTokenFile(user, work);
    }

    @Test
    void aliceMayReadAnOrderAndTheAnswerIsTheServicesAudited() throws IOException {
        Cli.Run run = decide("--token-file", tokenFile("alice").toString(), "--method", "GET", "--path", "/orders/42",
                "--output", "json");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode decision = JSON.readTree(run.out());
        assertThat(decision.get("allow").booleanValue()).isTrue();
        assertThat(decision.get("code").stringValue()).isEqualTo("allowed");
        assertThat(decision.get("subject").stringValue()).isEqualTo("alice");
        AuditEvent event = service.audit().event(decision.get("decision_id").stringValue());
        assertThat(event.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(event.actor().subject()).isEqualTo("alice");
        assertThat(event.resource()).isEqualTo("/orders/42");
        assertThat(event.attributes()).containsEntry("protocol", "decision-api");
    }

    @Test
    void bobIsDeniedWithTheContractsTokenOptionAndTheCheckFails() {
        Cli.Run run = decide("--token", keycloak.accessToken("bob"), "--method", "get", "--path", "/orders/42?expand=items");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).startsWith("DENY 403 GET /orders/42?expand=items as bob").contains("denied_by_policy");
    }

    @Test
    void withoutATokenTheRequestIsAnonymousAndDenied() {
        Cli.Run run = decide("--method", "GET", "--path", "/orders/42");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).startsWith("DENY").contains("as anonymous");
    }

    @Test
    void aForgedTokenIsAnAuthenticationFailureNotAnError() {
        String alices = keycloak.accessToken("alice");
        String forged = alices.substring(0, alices.lastIndexOf('.') + 1) + "AAAA" + alices.substring(alices.lastIndexOf('.') + 5);

        Cli.Run run = decide("--token", forged, "--method", "GET", "--path", "/orders/42");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).startsWith("DENY 401").contains("authentication_failed");
        assertThat(run.out() + run.err()).doesNotContain(forged);
    }

    @Test
    void anAmbiguousPathGetsNoDecisionAndCouldNotRun() {
        Cli.Run run = decide("--method", "GET", "--path", "//admin/orders/1");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("no decision").contains("HTTP 400");
    }

    @Test
    void anUnreachableServiceCouldNotRun() {
        Cli.Run run = Cli.run(stack, "decide", "--url", "http://127.0.0.1:" + AuthzService.freePort(), "--method", "GET",
                "--path", "/orders/42");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("cannot reach the Portcullis service");
    }
}
