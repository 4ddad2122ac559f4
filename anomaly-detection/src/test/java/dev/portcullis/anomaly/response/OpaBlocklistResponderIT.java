package dev.portcullis.anomaly.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The block-list response against the real OPA of the stack, and a second real OPA that this test restarts. */
class OpaBlocklistResponderIT {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static AlertRecord alert(Entity entity) {
        Alert alert = new Alert("credential-stuffing", Severity.HIGH, entity, Instant.now().minusSeconds(60), Instant.now(),
                0.9, List.of("01JD0000000000000000000001"), "30 failed logins for 30 distinct subjects");
        return new AlertRecord("01JDALERT" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(), Instant.now(), alert, null);
    }

    private JsonNode get(URI opa, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(opa.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return MAPPER.readTree(r.body());
    }

    private JsonNode decision(URI opa, String subject) throws IOException, InterruptedException {
        String input = "{\"input\": {\"request\": {\"method\": \"GET\", \"path\": \"/orders/42\", \"source_ip\": \"10.1.2.3\", \"id\": \"d-1\"},"
                + " \"principal\": {\"authenticated\": true, \"subject\": \"" + subject + "\", \"client_id\": \"portcullis-cli\","
                + " \"roles\": [\"order-reader\"], \"spiffe_id\": null, \"token_id\": \"t-1\"},"
                + " \"now_ns\": " + (Instant.now().toEpochMilli() * 1_000_000L) + "}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(opa.resolve("/v1/data/portcullis/authz/decision"))
                .POST(HttpRequest.BodyPublishers.ofString(input)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return MAPPER.readTree(r.body()).path("result");
    }

    @Test
    void blocksThePrincipalInOpaSoThatTheAuthzPolicyDeniesItsNextRequest() throws Exception {
        URI opa = LocalStack.require().uri("opa.addr");
        String subject = "mallory-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(decision(opa, subject).path("allow").asBoolean()).isTrue();
        try (OpaBlocklistResponder responder = OpaBlocklistResponder.builder(opa).mode(ResponseMode.ENFORCE).build()) {
            AlertRecord record = alert(Entity.subject(subject));

            List<ResponseOutcome> outcomes = responder.respond(record);

            assertThat(outcomes).singleElement().satisfies(o -> {
                assertThat(o.status()).isEqualTo(ResponseOutcome.Status.APPLIED);
                assertThat(o.target()).isEqualTo("opa:blocklist/subject:" + subject);
            });
            JsonNode entry = get(opa, OpaBlocklistResponder.DATA_PATH).path("result").path("entries").path("subject:" + subject);
            assertThat(entry.path("alert_id").asString()).isEqualTo(record.id());
            assertThat(entry.path("reason").asString()).startsWith("credential-stuffing: 30 failed logins");
            assertThat(Instant.parse(entry.path("until").asString())).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
            JsonNode denied = decision(opa, subject);
            assertThat(denied.path("allow").asBoolean()).isFalse();
            assertThat(denied.path("reasons").toString()).contains("blocked:subject:" + subject);

            responder.unblock("subject:" + subject);
            assertThat(decision(opa, subject).path("allow").asBoolean()).isTrue();
        }
    }

    @Test
    void keepsOtherEntriesAndDropsExpiredOnesOnEachWrite() throws Exception {
        URI opa = LocalStack.require().uri("opa.addr");
        String a = "ip:203.0.113." + (1 + (int) (Math.random() * 200));
        String b = "client:scraper-" + UUID.randomUUID().toString().substring(0, 6);
        try (OpaBlocklistResponder now = OpaBlocklistResponder.builder(opa).mode(ResponseMode.ENFORCE).build();
                OpaBlocklistResponder later = OpaBlocklistResponder.builder(opa).mode(ResponseMode.ENFORCE)
                        .clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(2))).build()) {
            now.respond(alert(new Entity(dev.portcullis.anomaly.EntityKind.IP, a.substring(3))));
            now.respond(alert(new Entity(dev.portcullis.anomaly.EntityKind.CLIENT, b.substring(7))));
            JsonNode entries = get(opa, OpaBlocklistResponder.DATA_PATH).path("result").path("entries");
            assertThat(entries.has(a)).isTrue();
            assertThat(entries.has(b)).isTrue();

            // Two hours on, both have expired: the next write leaves them out.
            String c = "subject:late-" + UUID.randomUUID().toString().substring(0, 6);
            later.respond(alert(Entity.subject(c.substring(8))));
            entries = get(opa, OpaBlocklistResponder.DATA_PATH).path("result").path("entries");
            assertThat(entries.has(a)).isFalse();
            assertThat(entries.has(b)).isFalse();
            assertThat(entries.has(c)).isTrue();
            later.unblock(c);
        }
    }

    @Test
    void dryRunReportsAndChangesNothing() throws Exception {
        URI opa = LocalStack.require().uri("opa.addr");
        String subject = "dry-" + UUID.randomUUID().toString().substring(0, 8);
        try (OpaBlocklistResponder responder = OpaBlocklistResponder.builder(opa).mode(ResponseMode.DRY_RUN).build()) {
            assertThat(responder.respond(alert(Entity.subject(subject)))).singleElement()
                    .extracting(ResponseOutcome::status).isEqualTo(ResponseOutcome.Status.WOULD_APPLY);
            assertThat(get(opa, OpaBlocklistResponder.DATA_PATH).path("result").path("entries").has("subject:" + subject)).isFalse();
        }
    }

    @Test
    void pushesTheListAgainAfterARealOpaRestart() throws Exception {
        LocalStack stack = LocalStack.require();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI opa = URI.create("http://127.0.0.1:" + port);
        Process first = startOpa(stack.get("opa.bin"), port);
        try (OpaBlocklistResponder responder = OpaBlocklistResponder.builder(opa).mode(ResponseMode.ENFORCE).build()) {
            assertThat(responder.respond(alert(Entity.subject("eve")))).singleElement()
                    .extracting(ResponseOutcome::status).isEqualTo(ResponseOutcome.Status.APPLIED);
            assertThat(responder.reconcile()).isFalse();

            stop(first);
            Process second = startOpa(stack.get("opa.bin"), port);
            try {
                assertThat(get(opa, OpaBlocklistResponder.DATA_PATH).path("result").isMissingNode()).isTrue();
                assertThat(responder.reconcile()).isTrue();
                assertThat(get(opa, OpaBlocklistResponder.DATA_PATH).path("result").path("entries").has("subject:eve")).isTrue();
            } finally {
                stop(second);
            }
        } finally {
            stop(first);
        }
    }

    private Process startOpa(String bin, int port) throws Exception {
        Process p = new ProcessBuilder(bin, "run", "--server", "--addr=127.0.0.1:" + port, "--diagnostic-addr=",
                "--log-level=error").redirectErrorStream(true).redirectOutput(dir.resolve("opa-" + port + ".log").toFile()).start();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        for (int i = 0; i < 300; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(health).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return p;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new IllegalStateException("OPA did not start on port " + port);
    }

    private static void stop(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

}
