package dev.portcullis.cli.anomalies;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.Main;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis anomalies blocks|unblock} against an HTTP server on 127.0.0.1 that answers in
 * the admin API's shapes (docs/anomaly-detection.md); the end-to-end run against the real service
 * and OPA is {@code OnlineAnomalyDetectionIT}.
 */
class AnomaliesBlocksCommandTest {

    private static final String TOKEN = "test-admin-token-5678";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private HttpServer server;
    private Path tokenFile;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** The blocks the fake enforces: key to reason. */
    private final Map<String, String> blocks = new ConcurrentHashMap<>();
    private volatile int failUnblockWith;
    private volatile boolean blocklistOff;

    @BeforeEach
    void start() throws IOException {
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        blocks.put("ip:203.0.113.7", "credential-stuffing: 24 failures for 12 subjects");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/admin/anomalies", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        byte[] body = exchange.getRequestBody().readAllBytes();
        requests.add(method + " " + path + (body.length == 0 ? "" : " " + new String(body, StandardCharsets.UTF_8)));
        if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 403, "{\"error\":\"forbidden\",\"message\":\"the security-admin role is required\"}");
        } else if (blocklistOff) {
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

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        return runWithToken(tokenFile, args);
    }

    private Run runWithToken(Path token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--url=http://127.0.0.1:" + server.getAddress().getPort());
        all.add("--token-file=" + token);
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void blocksPrintsATableOfWhatTheServiceHasOpaEnforce() {
        Run r = run("anomalies", "blocks");

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).startsWith("1 block(s)").contains("KEY").contains("ip:203.0.113.7")
                .contains("2026-12-05T20:00:00.000Z").contains("01JD0000000000000000000007").contains("credential-stuffing");
        assertThat(requests).containsExactly("GET /v1/admin/anomalies/blocks");
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
        assertThat(requests).containsExactly("POST /v1/admin/anomalies/unblock {\"key\":\"ip:203.0.113.7\"}");
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
        assertThat(requests).isEmpty();
        assertThat(blocks).containsOnlyKeys("ip:203.0.113.7");
    }

    @Test
    void aCallerWithoutTheAdminRoleIsToldSoAndNothingIsLifted() throws IOException {
        Path other = dir.resolve("other-token");
        Files.writeString(other, "a-token-without-the-role");

        Run list = runWithToken(other, "anomalies", "blocks");
        Run lift = runWithToken(other, "anomalies", "unblock", "ip:203.0.113.7");

        assertThat(list.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(list.err()).contains("the security-admin role is required").contains("HTTP 403");
        assertThat(lift.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(lift.err()).contains("HTTP 403");
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

    @Test
    void withoutAnAdminTokenNothingIsSent() {
        List<String> args = List.of("anomalies", "blocks", "--url=http://127.0.0.1:" + server.getAddress().getPort());
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        // The variable may be set in the developer's shell; this test is about its absence.
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("PORTCULLIS_ADMIN_TOKEN") == null,
                "PORTCULLIS_ADMIN_TOKEN is set in this environment");

        int exit = cli.execute(args.toArray(String[]::new));

        assertThat(exit).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(err.toString()).contains("no admin token");
        assertThat(requests).isEmpty();
    }
}
