package dev.portcullis.fields.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.sun.net.httpserver.HttpServer;

import dev.portcullis.fields.Caller;
import dev.portcullis.fields.EncryptionMode;
import dev.portcullis.fields.FieldRule;
import dev.portcullis.fields.policy.FieldPolicyRequest.Operation;

/**
 * How OPA's answers are read (table-driven, including wrongly typed output) and that every failure
 * fails closed. The HTTP endpoint here is a stand-in serving fixed bodies; the real OPA with the
 * real policy is exercised by FieldPolicyIT.
 */
class OpaHttpFieldAccessPolicyTest {

    private static final String GOOD = """
            {"result": {"allow": true, "readable_classes": ["pii"], "reasons": ["grant:pii-reader:pii"],
              "fields": [{"path": "$.email", "class": "pii", "mode": "deterministic", "key": "tenant", "blind_index": true}]}}
            """;

    /**
     * Generous, so that a loaded machine never turns an answer into a timeout; the timeout itself
     * is tested with a server that does not answer at all.
     */
    private static final Duration PATIENT = Duration.ofSeconds(60);

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void interpretReadsAWellFormedDecision() {
        FieldPolicyDecision d = OpaHttpFieldAccessPolicy.interpret(GOOD.getBytes(StandardCharsets.UTF_8));
        assertThat(d.allowed()).isTrue();
        assertThat(d.failedClosed()).isFalse();
        assertThat(d.readableClasses()).containsExactly("pii");
        assertThat(d.rules()).singleElement().satisfies(r -> {
            assertThat(r.selector().text()).isEqualTo("$.email");
            assertThat(r.mode()).isEqualTo(EncryptionMode.DETERMINISTIC);
            assertThat(r.keyScope()).isEqualTo(FieldRule.KeyScope.TENANT);
            assertThat(r.blindIndex()).isTrue();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}",
        "{\"result\": null}",
        "{\"result\": {\"allow\": \"true\", \"fields\": [], \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"fields\": {}, \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"fields\": [], \"readable_classes\": [1], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"fields\": [], \"readable_classes\": [], \"reasons\": [true]}}",
        "{\"result\": {\"allow\": true, \"fields\": [{\"path\": \"$.a\", \"class\": \"pii\", \"mode\": \"ecb\", \"key\": \"tenant\", \"blind_index\": false}], \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"fields\": [{\"path\": \"$.a\", \"class\": \"pii\", \"mode\": \"randomized\", \"key\": \"nobody\", \"blind_index\": false}], \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"fields\": [{\"path\": \"$[?(@.a)]\", \"class\": \"pii\", \"mode\": \"randomized\", \"key\": \"tenant\", \"blind_index\": false}], \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"fields\": [{\"path\": \"$.a\", \"class\": \"PII!\", \"mode\": \"randomized\", \"key\": \"tenant\", \"blind_index\": false}], \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"fields\": [{\"path\": \"$.a\", \"class\": \"pii\", \"mode\": \"randomized\", \"key\": \"tenant\"}], \"readable_classes\": [], \"reasons\": []}}",
        "{\"result\": {\"allow\": true, \"allow\": false, \"fields\": [], \"readable_classes\": [], \"reasons\": []}}",
        "not json"
    })
    void interpretFailsClosedOnAnythingIllShaped(String body) {
        FieldPolicyDecision d = OpaHttpFieldAccessPolicy.interpret(body.getBytes(StandardCharsets.UTF_8));
        assertThat(d.allowed()).isFalse();
        assertThat(d.failedClosed()).isTrue();
        assertThat(d.readableClasses()).isEmpty();
        assertThat(d.reasons()).singleElement().asString().isIn("policy_undefined", "policy_malformed");
    }

    @Test
    void decideSendsTheDocumentedInput() throws IOException {
        AtomicReference<String> seen = new AtomicReference<>();
        URI uri = serve(200, GOOD, seen, null);
        FieldPolicyDecision d = new OpaHttpFieldAccessPolicy(uri, PATIENT).decide(
                new FieldPolicyRequest(Operation.DECRYPT, Caller.memberOf("acme", "rita", "pii-reader"), "acme", "patient"));
        assertThat(d.allowed()).isTrue();
        assertThat(seen.get()).isEqualTo("{\"input\":{\"operation\":\"decrypt\",\"tenant\":\"acme\","
                + "\"document_type\":\"patient\",\"principal\":{\"subject\":\"rita\",\"client_id\":null,"
                + "\"spiffe_id\":null,\"roles\":[\"pii-reader\"],\"tenants\":[\"acme\"]}}}");
    }

    @Test
    void decideWhenOpaAnswersAnErrorStatusThenFailsClosed() throws IOException {
        URI uri = serve(500, "{\"code\":\"internal_error\"}", new AtomicReference<>(), null);
        FieldPolicyDecision d = new OpaHttpFieldAccessPolicy(uri, PATIENT).decide(request());
        assertThat(d.failedClosed()).isTrue();
        assertThat(d.reasons()).containsExactly("policy_status_500");
    }

    @Test
    void decideWhenOpaIsUnreachableThenFailsClosed() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        FieldPolicyDecision d = new OpaHttpFieldAccessPolicy(URI.create("http://127.0.0.1:" + port), PATIENT).decide(request());
        assertThat(d.failedClosed()).isTrue();
        assertThat(d.reasons()).containsExactly("policy_unavailable");
    }

    @Test
    void decideWhenOpaDoesNotAnswerInTimeThenFailsClosed() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        URI uri = serve(200, GOOD, new AtomicReference<>(), release);
        try {
            FieldPolicyDecision d = new OpaHttpFieldAccessPolicy(uri, Duration.ofMillis(200)).decide(request());
            assertThat(d.failedClosed()).isTrue();
            assertThat(d.reasons()).containsExactly("policy_timeout");
        } finally {
            release.countDown();
        }
    }

    private static FieldPolicyRequest request() {
        return new FieldPolicyRequest(Operation.ENCRYPT, Caller.memberOf("acme", "svc"), "acme", "patient");
    }

    private URI serve(int status, String body, AtomicReference<String> seen, CountDownLatch holdUntil)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/data/portcullis/fields/decision", exchange -> {
            seen.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (holdUntil != null) {
                try {
                    holdUntil.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }
}
