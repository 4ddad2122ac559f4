package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.policy.CachingPolicyEngine.Lookup;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.Checker;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.OwnOpa;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service with the optional decision cache on, in front of an OPA of the test's own (the
 * stack's binary serving the project's policies/, so that the block list can change without
 * touching the shared stack). A repeated check is answered from the cache, still audited on its
 * own, and counted in {@code portcullis.policy.decision.cache.lookups}; a change of OPA's data
 * reaches a cached input through the revision, long before the entry would expire.
 */
class DecisionCacheServiceIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The longest the cache allows: only a revision change can end an entry within the test. */
    private static final String TTL = "60s";
    /** Far more than one poll of the revision watcher (200 ms by default); a wait, not a measurement. */
    private static final Duration WITHIN_A_POLL = Duration.ofSeconds(15);

    private static OwnOpa opa;
    private static HttpClient http;
    private static AuthzService service;
    private static Checker checker;
    private static CachingPolicyEngine cache;
    private static String alice;

    @BeforeAll
    static void start() throws Exception {
        LocalStack stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-decision-cache-it-");
        opa = OwnOpa.start(stack, work);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        service = AuthzService.builder(stack, work.resolve("service"))
                .property("portcullis.opa.url", opa.url().toString())
                .property("portcullis.opa.decision-cache.enabled", "true")
                .property("portcullis.opa.decision-cache.ttl", TTL)
                .start();
        checker = new Checker(service);
        cache = service.context().getBean(CachingPolicyEngine.class);
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

    @AfterEach
    void clearBlockList() throws Exception {
        send("DELETE", "/v1/data/portcullis/blocklist", null);
    }

    @Test
    void aRepeatedCheckIsAnsweredFromTheCacheAuditedOnItsOwnAndCounted() throws Exception {
        long hits = cache.lookups(Lookup.HIT);
        // Right after the start the watcher may not know OPA's revision yet: then nothing is cached.
        HttpResponse<String> first = checker.awaitAnswer(alice,
                a -> a.statusCode() == 200 && cache.lookups(Lookup.HIT) > hits, Duration.ofSeconds(30));
        long hitsBefore = cache.lookups(Lookup.HIT);
        long missesBefore = cache.lookups(Lookup.MISS);

        HttpResponse<String> again = checker.check(alice);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(cache.lookups(Lookup.HIT)).as("answered from the cache").isEqualTo(hitsBefore + 1);
        assertThat(cache.lookups(Lookup.MISS)).isEqualTo(missesBefore);
        String firstId = Checker.decisionId(first);
        String againId = Checker.decisionId(again);
        assertThat(againId).as("a decision of its own").isNotEqualTo(firstId);
        assertThat(service.audit().event(againId).outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(service.audit().event(againId).reason()).contains("role:order-reader");

        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(service.managementUri("/actuator/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern(
                "portcullis_policy_decision_cache_lookups_total\\{[^}]*result=\"hit\"} [1-9]");
        assertThat(metrics.body()).containsPattern(
                "portcullis_policy_decision_cache_lookups_total\\{[^}]*result=\"no_revision\"} ");
    }

    @Test
    void aBlockListChangeReachesACachedInputThroughTheRevisionNotTheTtl() throws Exception {
        long hits = cache.lookups(Lookup.HIT);
        checker.awaitAnswer(alice, a -> a.statusCode() == 200 && cache.lookups(Lookup.HIT) > hits,
                Duration.ofSeconds(30));

        send("PUT", "/v1/data/portcullis/blocklist", JSON.writeValueAsBytes(
                Map.of("entries", Map.of("subject:alice", Map.of("until", "2099-01-01T00:00:00Z")))));
        HttpResponse<String> blocked = checker.awaitAnswer(alice, a -> a.statusCode() == 403, WITHIN_A_POLL);

        assertThat(service.audit().event(Checker.decisionId(blocked)).reason()).contains("blocked:subject:alice");

        send("DELETE", "/v1/data/portcullis/blocklist", null);
        checker.awaitAnswer(alice, a -> a.statusCode() == 200, WITHIN_A_POLL);
    }

    private static void send(String method, String path, byte[] body) throws Exception {
        opa.send(http, method, path, body);
    }
}
