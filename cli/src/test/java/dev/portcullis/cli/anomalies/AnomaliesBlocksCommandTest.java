package dev.portcullis.cli.anomalies;

import static dev.portcullis.cli.FakeAdminApi.respond;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.FakeAdminApi;
import dev.portcullis.cli.FakeAdminApi.Run;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis anomalies blocks|unblock} against an HTTP server on 127.0.0.1 that answers in
 * the admin API's shapes (docs/anomaly-detection.md); the end-to-end run against the real service
 * and OPA, including a caller without the role, is {@code OnlineAnomalyDetectionIT}.
 */
class AnomaliesBlocksCommandTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private FakeAdminApi api;
    /** The blocks the fake enforces: key to reason. */
    private final Map<String, String> blocks = new ConcurrentHashMap<>();
    private volatile int failUnblockWith;
    private volatile boolean blocklistOff;

    @BeforeEach
    void start() throws IOException {
        blocks.put("ip:203.0.113.7", "credential-stuffing: 24 failures for 12 subjects");
        api = new FakeAdminApi(dir, "/v1/admin/anomalies", this::handle);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private void handle(HttpExchange exchange, byte[] body) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (blocklistOff) {
            respond(exchange, 409, "{\"error\":\"blocklist_off\",\"message\":\"the block-list response is off"
                    + " (portcullis.anomaly.responses.blocklist.mode)\"}");
        } else if (method.equals("GET") && path.equals("/v1/admin/anomalies/blocks")) {
            StringBuilder list = new StringBuilder("{\"blocks\":[");
            blocks.forEach((key, reason) -> list.append(list.length() > 11 ? "," : "").append("{\"key\":\"").append(key)
                    .append("\",\"until\":\"2026-12-05T20:00:00.000Z\",\"reason\":\"").append(reason)
                    .append("\",\"alert_id\":\"01JD0000000000000000000007\"}"));
            respond(exchange, 200, list.append("],\"count\":").append(blocks.size()).append('}').toString());
        } else if (method.equals("POST") && path.equals("/v1/admin/anomalies/unblock")) {
            String key = JSON.readTree(body).path("key").asString();
            if (failUnblockWith != 0) {
                respond(exchange, failUnblockWith, "{\"error\":\"unavailable\",\"message\":\"the block could not be lifted\"}");
            } else if (blocks.remove(key) == null) {
                respond(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no block has that key\"}");
            } else {
                respond(exchange, 200, "{\"unblocked\":\"" + key + "\"}");
            }
        } else {
            respond(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no such endpoint\"}");
        }
    }

    private Run run(String... args) {
        return api.run(args);
    }

    @Test
    void blocksPrintsATableOfWhatTheServiceHasOpaEnforce() {
        Run r = run("anomalies", "blocks");

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).startsWith("1 block(s)").contains("KEY").contains("ip:203.0.113.7")
                .contains("2026-12-05T20:00:00.000Z").contains("01JD0000000000000000000007").contains("credential-stuffing");
        assertThat(api.requests()).containsExactly("GET /v1/admin/anomalies/blocks");
    }

    @Test
    void blocksWithJsonOutputPrintsTheServicesDocument() {
        Run r = run("anomalies", "blocks", "--output", "json");

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        JsonNode answer = JSON.readTree(r.out());
        assertThat(answer.path("count").asInt()).isEqualTo(1);
        assertThat(answer.path("blocks").get(0).path("key").asString()).isEqualTo("ip:203.0.113.7");
    }

    @Test
    void unblockPostsTheKeyAndTheBlockIsGone() {
        Run r = run("anomalies", "unblock", "ip:203.0.113.7");

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out().strip()).isEqualTo("unblocked ip:203.0.113.7");
        assertThat(api.requests()).containsExactly("POST /v1/admin/anomalies/unblock {\"key\":\"ip:203.0.113.7\"}");
        assertThat(blocks).isEmpty();
        assertThat(run("anomalies", "blocks").out()).startsWith("0 block(s)");
    }

    @Test
    void unblockOfAKeyWithoutABlockFailsTheCheckAndSaysWhereToLook() {
        Run r = run("anomalies", "unblock", "subject:alice");

        assertThat(r.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(r.err()).contains("no block has the key subject:alice").contains("portcullis anomalies blocks");
        assertThat(blocks).containsOnlyKeys("ip:203.0.113.7");
    }

    @Test
    void aMalformedKeyIsRefusedBeforeAnythingIsSent() {
        Run noKind = run("anomalies", "unblock", "203.0.113.7");
        Run control = run("anomalies", "unblock", "ip:203.0.113.7\n");

        assertThat(noKind.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(noKind.err()).contains("'203.0.113.7' is not a block key");
        assertThat(control.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(api.requests()).isEmpty();
        assertThat(blocks).containsOnlyKeys("ip:203.0.113.7");
    }

    @Test
    void aCallerTheServiceRefusesIsToldSoAndNothingIsLifted() throws IOException {
        Path other = dir.resolve("other-token");
        Files.writeString(other, "a-token-the-service-refuses");

        Run list = api.runWithToken(other, "anomalies", "blocks");
        Run lift = api.runWithToken(other, "anomalies", "unblock", "ip:203.0.113.7");

        assertThat(list.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(list.err()).contains("admin credentials required").contains("HTTP 401");
        assertThat(lift.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(lift.err()).contains("HTTP 401");
        assertThat(blocks).containsOnlyKeys("ip:203.0.113.7");
    }

    @Test
    void aLiftTheServiceCouldNotRecordOrABlockListResponseThatIsOffCouldNotRun() {
        failUnblockWith = 503;
        Run unavailable = run("anomalies", "unblock", "ip:203.0.113.7");
        failUnblockWith = 0;
        blocklistOff = true;
        Run off = run("anomalies", "blocks");

        assertThat(unavailable.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(unavailable.err()).contains("the block could not be lifted").contains("HTTP 503");
        assertThat(off.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(off.err()).contains("the block-list response is off").contains("blocklist_off");
    }
}
