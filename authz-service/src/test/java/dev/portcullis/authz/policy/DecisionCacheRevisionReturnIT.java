package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.Checker;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.OwnOpa;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.json.JsonMapper;

/**
 * The decision cache when OPA returns to a state it served before: the service with the cache
 * on (60 s entries) and a slow revision watcher (one poll every 5 s, so that a check can be asked
 * between OPA's change and the watcher's next poll), in front of an OPA of the test's own serving
 * the project's policies/, and the stack's Keycloak.
 *
 * <p>A decision asked for in that gap is OPA's new answer filed under the old revision. When OPA
 * later serves exactly the old state again (here: the same block list pushed again, as the block
 * list responder's reconciler does), that decision must not be served with it.
 */
class DecisionCacheRevisionReturnIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration POLL = Duration.ofSeconds(5);
    /** Several polls; a wait for the watcher to see a change, not a measurement. */
    private static final Duration WITHIN_POLLS = Duration.ofSeconds(30);

    private static OwnOpa opa;
    private static HttpClient http;
    private static AuthzService service;
    private static Checker checker;
    private static OpaRevisionWatcher watcher;
    private static String alice;

    @BeforeAll
    static void start() throws Exception {
        LocalStack stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-decision-cache-return-it-");
        opa = OwnOpa.start(stack, work);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        service = AuthzService.builder(stack, work.resolve("service"))
                .property("portcullis.opa.url", opa.url().toString())
                .property("portcullis.opa.decision-cache.enabled", "true")
                .property("portcullis.opa.decision-cache.ttl", "60s")
                .property("portcullis.opa.decision-cache.revision-poll-interval", POLL.toMillis() + "ms")
                .property("portcullis.opa.decision-cache.policy-poll-interval", POLL.toMillis() + "ms")
                .property("portcullis.opa.decision-cache.revision-max-age", "20s")
                .start();
        checker = new Checker(service);
        watcher = service.context().getBean(OpaRevisionWatcher.class);
        try (KeycloakRealm keycloak = new KeycloakRealm(stack)) {
            alice = keycloak.accessToken("alice");
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
        if (http != null) {
            http.close();
        }
    }

    @Test
    void aDecisionAskedForBeforeTheWatcherSawAChangeIsNotServedWhenOpaReturnsToTheEarlierState() throws Exception {
        await("the watcher knows OPA's revision", () -> watcher.snapshot().isPresent());
        String lifted = contentRevision();
        byte[] aliceBlocked = JSON.writeValueAsBytes(
                Map.of("entries", Map.of("subject:alice", Map.of("until", "2099-01-01T00:00:00Z"))));
        opa.send(http, "PUT", "/v1/data/portcullis/blocklist", aliceBlocked);
        await("the watcher saw the block", () -> !contentRevision().equals(lifted));
        String blocked = contentRevision();
        assertThat(checker.check("GET", "/orders/1", alice).statusCode()).isEqualTo(403);

        // Lifted in OPA, and alice asks about another order before the watcher's next poll: OPA
        // allows her, and the cache files that under the revision with the block. The check takes
        // milliseconds of the 5 s between polls; should a poll still fall between the lift and the
        // check, the block is put back and the gap tried again (a different order each time, so
        // that nothing cached from the attempt before is asked for).
        String order = null;
        for (int attempt = 1; order == null; attempt++) {
            String candidate = "/orders/gap-" + attempt;
            opa.send(http, "DELETE", "/v1/data/portcullis/blocklist", null);
            HttpResponse<String> inTheGap = checker.check("GET", candidate, alice);
            if (contentRevision().equals(blocked)) {
                assertThat(inTheGap.statusCode()).isEqualTo(200);
                order = candidate;
            } else {
                assertThat(attempt).as("a check landed between OPA's change and the watcher's next poll").isLessThan(5);
                opa.send(http, "PUT", "/v1/data/portcullis/blocklist", aliceBlocked);
                await("the watcher saw the block", () -> contentRevision().equals(blocked));
            }
        }
        await("the watcher saw the block lifted", () -> contentRevision().equals(lifted));

        // Blocked again with the very same document: OPA serves exactly what it served before.
        opa.send(http, "PUT", "/v1/data/portcullis/blocklist", aliceBlocked);
        await("the watcher saw the block again", () -> contentRevision().equals(blocked));

        HttpResponse<String> again = checker.check("GET", order, alice);

        assertThat(again.statusCode()).as("alice is blocked; the allow asked for in the gap must not come back")
                .isEqualTo(403);
        assertThat(service.audit().event(Checker.decisionId(again)).reason()).contains("blocked:subject:alice");
    }

    /** The hash of what OPA serves as the watcher last read it (the same whenever OPA serves the same). */
    private static String contentRevision() {
        return watcher.snapshot().map(OpaRevisionWatcher.Snapshot::revision).orElse("");
    }

    private static void await(String what, BooleanSupplier state) throws InterruptedException {
        Instant deadline = Instant.now().plus(WITHIN_POLLS);
        while (!state.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(what + ": not within " + WITHIN_POLLS);
            }
            Thread.sleep(100);
        }
    }
}
