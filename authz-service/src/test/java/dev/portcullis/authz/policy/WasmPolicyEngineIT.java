package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.portcullis.authz.policy.WasmPolicyEngine.Handoff;
import dev.portcullis.authz.testing.OwnOpa;
import dev.portcullis.authz.testing.PolicyWasmBuild;
import dev.portcullis.testing.LocalStack;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The in-process Wasm engine against a real OPA (the stack's binary, serving the project's
 * {@code policies/}), with the module compiled from the same directory by
 * {@code bin/lib/policy-wasm.sh}, as {@code bin/dev} compiles it. Every decision the module makes
 * is compared with OPA's for the same input, and the tests show it stepping aside whenever it could differ: OPA given another
 * policy, a block-list time the host cannot parse exactly as Go does, OPA gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WasmPolicyEngineIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private static OwnOpa opa;
    private static URI opaUrl;
    private static HttpClient http;
    private static OpaHttpPolicyEngine rest;
    private static OpaRevisionWatcher watcher;
    private static WasmPolicyEngine wasm;

    @BeforeAll
    static void start() throws Exception {
        LocalStack stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-wasm-it-");
        opa = OwnOpa.start(stack, work);
        opaUrl = opa.url();
        Path bundle = PolicyWasmBuild.build(stack, work);

        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        rest = new OpaHttpPolicyEngine(opaUrl, OpaHttpPolicyEngine.AUTHZ_DECISION_PATH, http, JSON,
                Duration.ofMillis(500), CircuitBreaker.ofDefaults("opa-it"), 16);
        watcher = new OpaRevisionWatcher(opaUrl, List.of("authz", "portcullis/blocklist"), http,
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(1));
        wasm = new WasmPolicyEngine(WasmPolicyBundle.read(bundle, OpaHttpPolicyEngine.AUTHZ_DECISION_PATH),
                watcher::snapshot, rest, JSON, 2, Duration.ofMillis(500), 300);
        await("the module warmed up and OPA's revision known", () -> wasm.warm() && watcher.revision().isPresent());
    }

    @AfterAll
    static void stop() {
        if (wasm != null) {
            wasm.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (opa != null) {
            opa.close();
        }
    }

    @AfterEach
    void clearBlockList() throws Exception {
        send("DELETE", "/v1/data/portcullis/blocklist", null);
        send("DELETE", "/v1/policies/wasm-it-extra", null);
    }

    @Test
    @Order(1)
    void theModuleDecidesEveryCaseInProcessAndAsOpaDoes() throws Exception {
        pushBlockList(Map.of(
                "subject:mallory", Map.of("until", "2099-01-01T00:00:00Z"),
                "ip:203.0.113.9", Map.of("until", "2099-06-30T23:59:59.123456789+02:00"),
                "client:old-batch-job", Map.of("until", "2001-01-01T00:00:00Z")));
        List<Map<String, Object>> inputs = List.of(
                input("GET", "/orders/1", person("alice", "order-reader")),
                input("GET", "/orders/1", person("bob")),
                input("POST", "/orders/1", person("alice", "order-reader")),
                input("GET", "/orders/1/items", person("alice", "order-reader")),
                input("DELETE", "/admin/keys/k1", person("root", "security-admin")),
                input("get", "/admin/keys", person("alice", "order-reader")),
                input("GET", "/nowhere", person("alice", "order-reader")),
                input("GET", "/orders/1", anonymous()),
                input("GET", "/orders/1", workload("spiffe://portcullis.test/ns/shop/sa/checkout")),
                input("GET", "/orders/1", workload("spiffe://portcullis.test/ns/shop/sa/intruder")),
                input("GET", "/orders/1", person("mallory", "order-reader")),
                input("GET", "/orders/1", withClient(person("carol", "order-reader"), "old-batch-job")),
                withSourceIp(input("GET", "/orders/1", person("dave", "order-reader")), "203.0.113.9"));

        long before = wasm.inProcess();
        List<String> reasons = new ArrayList<>();
        for (Map<String, Object> input : inputs) {
            PolicyDecision byOpa = rest.decide(input);
            PolicyDecision inProcess = wasm.decide(input);
            assertThat(inProcess).as("decision for %s", input).isEqualTo(byOpa);
            reasons.addAll(byOpa.reasons());
        }

        assertThat(wasm.inProcess() - before).as("every decision made in-process; handed to OPA: %s", handoffs())
                .isEqualTo(inputs.size());
        // The cases cover what the policy can say: grants of each kind, each kind of denial, blocks.
        assertThat(reasons).contains("role:order-reader", "role:security-admin",
                "spiffe:spiffe://portcullis.test/ns/shop/sa/checkout", "missing_role:order-reader",
                "no_matching_route", "authentication_required", "spiffe_id_not_allowed",
                "blocked:subject:mallory", "blocked:ip:203.0.113.9");
        assertThat(reasons).doesNotContain("blocked:client:old-batch-job");
    }

    @Test
    @Order(2)
    void aBlockPushedToOpaIsHonouredInProcessWithinAPoll() throws Exception {
        Map<String, Object> alice = input("GET", "/orders/1", person("alice", "order-reader"));
        assertThat(wasm.decide(alice).allow()).isTrue();

        pushBlockList(Map.of("subject:alice", Map.of("until", "2099-01-01T00:00:00Z")));
        long before = wasm.inProcess();
        await("alice blocked", () -> !decide(alice).allow());

        assertThat(wasm.decide(alice).reasons()).containsExactly("blocked:subject:alice");
        assertThat(wasm.inProcess()).as("the block came from the mirrored data, in-process").isGreaterThan(before);
    }

    @Test
    @Order(3)
    void aBlockTimeTheHostCannotParseExactlyAsGoDoesIsLeftToOpa() throws Exception {
        // Lower-case 't' and 'z': Go's RFC 3339 fast path refuses them, so the host does too.
        pushBlockList(Map.of("subject:alice", Map.of("until", "2099-01-01t00:00:00z")));
        Map<String, Object> alice = input("GET", "/orders/1", person("alice", "order-reader"));

        PolicyDecision byOpa = rest.decide(alice);
        long failed = wasm.handedToOpa(Handoff.EVALUATION_FAILED);
        assertThat(wasm.decide(alice)).isEqualTo(byOpa);
        assertThat(wasm.handedToOpa(Handoff.EVALUATION_FAILED)).isEqualTo(failed + 1);
    }

    @Test
    @Order(4)
    void whenOpaServesAnotherPolicyOpaDecidesUntilTheyMatchAgain() throws Exception {
        Map<String, Object> bob = input("GET", "/orders/1", person("bob"));
        assertThat(wasm.decide(bob).allow()).isFalse();

        // A module the bundle was not compiled from, which grants bob what the module would deny.
        send("PUT", "/v1/policies/wasm-it-extra", ("package portcullis.authz\n\n"
                + "grants contains \"role:it-override\" if input.principal.subject == \"bob\"\n").getBytes());
        await("OPA's new policy in force", () -> decide(bob).allow());
        long differs = wasm.handedToOpa(Handoff.POLICY_DIFFERS);
        long inProcess = wasm.inProcess();

        assertThat(wasm.decide(bob).reasons()).containsExactly("role:it-override");
        assertThat(wasm.handedToOpa(Handoff.POLICY_DIFFERS)).isEqualTo(differs + 1);
        assertThat(wasm.inProcess()).isEqualTo(inProcess);

        send("DELETE", "/v1/policies/wasm-it-extra", null);
        await("the module deciding again", () -> {
            long now = wasm.inProcess();
            return !decide(bob).allow() && wasm.inProcess() == now + 1;
        });
    }

    @Test
    @Order(5)
    void hostTimeParsingAgreesWithOpaWhereverItAnswers() throws Exception {
        List<String> texts = List.of("2026-12-04T22:30:00Z", "2026-12-04T22:30:00.5Z", "2026-12-04T22:30:00.123456789Z",
                "2026-12-04T22:30:00.1234567891234Z", "2026-12-04T22:30:00+05:30", "2026-12-04T22:30:00.000001-23:59",
                "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
                "2026-12-04T24:00:00Z", "2026-12-04T23:59:60Z", "2026-12-04T22:30:00", "2026-12-04 22:30:00Z",
                "2026-12-04t22:30:00z", "2026-12-04T22:30:00+0530", "2026-12-04T22:30:00.Z", "2026-12-04T22:30Z",
                "2026-13-01T00:00:00Z", "2026-12-04T2:30:00Z", "+2026-12-04T22:30:00Z", "2262-01-01T00:00:00Z");
        int answeredInProcess = 0;
        for (String text : texts) {
            JsonNode byOpa = opaParses(text);
            Long inProcess;
            try {
                inProcess = GoRfc3339.parseNanos(text);
            } catch (GoRfc3339.NotFastPath e) {
                inProcess = null;
            }
            if (inProcess != null) {
                answeredInProcess++;
                assertThat(byOpa).as("OPA parses %s", text).isNotNull();
                assertThat(byOpa.asString()).as("nanoseconds of %s", text).isEqualTo(inProcess.toString());
            }
        }
        assertThat(answeredInProcess).as("the host answered each of the nine valid texts").isEqualTo(9);
    }

    @Test
    @Order(6)
    void withOpaGoneEveryDecisionFailsAndNoneIsMadeInProcess() throws Exception {
        Map<String, Object> alice = input("GET", "/orders/1", person("alice", "order-reader"));
        assertThat(wasm.decide(alice).allow()).isTrue();
        opa.stop();
        try {
            await("the revision unknown", () -> watcher.revision().isEmpty());
            long inProcess = wasm.inProcess();

            assertThatThrownBy(() -> wasm.decide(alice)).isInstanceOf(PolicyException.class);
            assertThat(wasm.inProcess()).isEqualTo(inProcess);
            assertThat(wasm.handedToOpa(Handoff.REVISION_UNKNOWN)).isPositive();
        } finally {
            opa.restart();
        }
        await("in-process again once OPA is back", () -> {
            long now = wasm.inProcess();
            PolicyDecision decision = decide(alice);
            return decision != null && decision.allow() && wasm.inProcess() == now + 1;
        });
    }

    // --- helpers -------------------------------------------------------------------------------

    private static Map<Handoff, Long> handoffs() {
        Map<Handoff, Long> counts = new java.util.EnumMap<>(Handoff.class);
        for (Handoff reason : Handoff.values()) {
            counts.put(reason, wasm.handedToOpa(reason));
        }
        return counts;
    }

    /** OPA's own {@code time.parse_rfc3339_ns}, or null when OPA does not give a number for it. */
    private static JsonNode opaParses(String text) throws Exception {
        String query = "x := time.parse_rfc3339_ns(" + JSON.writeValueAsString(text) + ")";
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(opaUrl.resolve("/v1/query"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("query", query)))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode x = JSON.readTree(response.body()).path("result").path(0).path("x");
        return response.statusCode() == 200 && x.isNumber() ? JSON.getNodeFactory().stringNode(x.bigIntegerValue().toString()) : null;
    }

    private static PolicyDecision decide(Map<String, Object> input) {
        try {
            return wasm.decide(input);
        } catch (PolicyException e) {
            return null;
        }
    }

    private static void pushBlockList(Map<String, Object> entries) throws Exception {
        String before = watcher.revision().orElse("");
        send("PUT", "/v1/data/portcullis/blocklist", JSON.writeValueAsBytes(Map.of("entries", entries)));
        await("the block list seen by the watcher", () -> !watcher.revision().orElse(before).equals(before));
    }

    private static void send(String method, String path, byte[] body) throws IOException, InterruptedException {
        opa.send(http, method, path, body);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + SETTLE + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    private static Map<String, Object> input(String method, String path, Map<String, Object> principal) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", "01M91AZE45Q22G0001M91AZE45");
        request.put("protocol", "http");
        request.put("method", method);
        request.put("path", path);
        request.put("source_ip", "127.0.0.1");
        request.put("headers", Map.of("accept", "*/*", "x-request-id", "5f0c7c2a"));
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("request", request);
        input.put("principal", principal);
        input.put("now_ns", System.currentTimeMillis() * 1_000_000L);
        return input;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withSourceIp(Map<String, Object> input, String ip) {
        ((Map<String, Object>) input.get("request")).put("source_ip", ip);
        return input;
    }

    private static Map<String, Object> withClient(Map<String, Object> principal, String clientId) {
        principal.put("client_id", clientId);
        return principal;
    }

    private static Map<String, Object> person(String subject, String... roles) {
        Map<String, Object> principal = new LinkedHashMap<>();
        principal.put("authenticated", true);
        principal.put("subject", subject);
        principal.put("client_id", "portcullis-cli");
        principal.put("roles", List.of(roles));
        principal.put("spiffe_id", null);
        principal.put("auth_methods", List.of("jwt"));
        return principal;
    }

    private static Map<String, Object> workload(String spiffeId) {
        Map<String, Object> principal = new LinkedHashMap<>();
        principal.put("authenticated", true);
        principal.put("subject", spiffeId);
        principal.put("spiffe_id", spiffeId);
        principal.put("roles", List.of());
        principal.put("auth_methods", List.of("mtls"));
        return principal;
    }

    private static Map<String, Object> anonymous() {
        Map<String, Object> principal = new LinkedHashMap<>();
        principal.put("authenticated", false);
        principal.put("roles", List.of());
        return principal;
    }
}
