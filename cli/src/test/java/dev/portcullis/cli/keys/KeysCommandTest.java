package dev.portcullis.cli.keys;

import static dev.portcullis.cli.FakeAdminApi.respond;
import static dev.portcullis.cli.FakeAdminApi.runCli;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;

import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.FakeAdminApi;
import dev.portcullis.cli.FakeAdminApi.Run;

/**
 * {@code portcullis keys} against a real HTTP server on 127.0.0.1 that serves the admin API's JSON
 * shapes as docs/keys.md documents them (the service's controller is not written yet; the lead
 * adds the end-to-end test).
 */
class KeysCommandTest {

    @TempDir
    Path dir;

    private FakeAdminApi api;
    private volatile boolean overdue;
    private volatile boolean rewrapFails;
    private volatile boolean rotateConflict;

    private static final String FIELDS_STATUS = "{\"name\":\"portcullis-fields\",\"purpose\":\"field-encryption-kek\","
            + "\"type\":\"aes256-gcm96\",\"rotation\":\"P30D\",\"jitter_seconds\":3600,\"decryptable_versions\":2,"
            + "\"latest_version\":4,\"min_decryption_version\":3,\"latest_created\":\"2026-11-01T03:00:00.000Z\","
            + "\"age_seconds\":1900800,\"next_rotation\":\"2026-12-01T03:20:00.000Z\",\"seconds_to_next_rotation\":691200,"
            + "\"overdue\":%s,\"rewrapped_to\":4,\"pending\":null}";

    @BeforeEach
    void start() throws IOException {
        api = new FakeAdminApi(dir, "/v1/admin/keys", this::handle);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private void handle(HttpExchange exchange, byte[] body) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getQuery();
        String method = exchange.getRequestMethod();
        if (method.equals("GET") && path.equals("/v1/admin/keys") && "view=status".equals(query)) {
            respond(exchange, 200, "{\"keys\":[" + FIELDS_STATUS.formatted(overdue) + "]}");
        } else if (method.equals("GET") && path.equals("/v1/admin/keys")) {
            respond(exchange, 200, "{\"keys\":[{\"name\":\"portcullis-fields\",\"purpose\":\"field-encryption-kek\","
                    + "\"type\":\"aes256-gcm96\",\"rotation\":\"P30D\",\"jitter_seconds\":3600,\"decryptable_versions\":2},"
                    + "{\"name\":\"portcullis-audit-checkpoint\",\"purpose\":\"audit-checkpoint-signing\",\"type\":\"ed25519\","
                    + "\"rotation\":\"cron:0 0 3 1 * *\",\"jitter_seconds\":0,\"decryptable_versions\":5}]}");
        } else if (method.equals("GET") && path.equals("/v1/admin/keys/portcullis-fields")) {
            respond(exchange, 200, FIELDS_STATUS.formatted(overdue));
        } else if (method.equals("GET") && path.startsWith("/v1/admin/keys/")) {
            respond(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no key 'nope' in the catalog\"}");
        } else if (method.equals("POST") && path.equals("/v1/admin/keys/portcullis-fields/rotate")) {
            if (rotateConflict) {
                respond(exchange, 409, "{\"error\":\"conflict\",\"message\":\"another instance is rotating portcullis-fields right now\"}");
            } else {
                respond(exchange, 200, "{\"name\":\"portcullis-fields\",\"outcome\":\"rotated\",\"status\":"
                        + FIELDS_STATUS.formatted(false).replace("\"latest_version\":4", "\"latest_version\":5") + "}");
            }
        } else if (method.equals("POST") && path.equals("/v1/admin/keys/portcullis-fields/rewrap")) {
            exchange.getResponseHeaders().add("Content-Type", "application/x-ndjson");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int done = 100; done <= 300; done += 100) {
                    out.write(("{\"event\":\"progress\",\"done\":" + done + ",\"failed\":0,\"total\":300}\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                out.write(("{\"event\":\"result\",\"name\":\"portcullis-fields\",\"to_version\":4,\"rewrapped\":"
                        + (rewrapFails ? 299 : 300) + ",\"changed_concurrently\":0,\"failed\":" + (rewrapFails ? 1 : 0)
                        + ",\"batches\":3,\"complete\":" + !rewrapFails + "}\n").getBytes(StandardCharsets.UTF_8));
            }
        } else {
            respond(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no such endpoint\"}");
        }
    }

    private Run run(String... args) {
        return api.run(args);
    }

    @Test
    void listPrintsATableOfTheCatalog() {
        Run r = run("keys", "list");

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("NAME").contains("portcullis-fields").contains("field-encryption-kek")
                .contains("portcullis-audit-checkpoint").contains("cron:0 0 3 1 * *");
        assertThat(api.requests()).containsExactly("GET /v1/admin/keys");
    }

    @Test
    void listWithJsonOutputPrintsTheServersDocument() {
        Run r = run("keys", "list", "--output", "json");

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out().strip()).startsWith("{\"keys\":[{\"name\":\"portcullis-fields\"");
    }

    @Test
    void statusOfAllKeysIsOkWhenNothingIsOverdueAndFailsTheCheckWhenSomethingIs() {
        Run fine = run("keys", "status");
        assertThat(fine.exit()).isEqualTo(ExitCode.OK);
        assertThat(fine.out()).contains("portcullis-fields").contains("22d0h").contains("2026-12-01T03:20:00.000Z");
        assertThat(api.requests()).containsExactly("GET /v1/admin/keys?view=status");

        overdue = true;
        Run late = run("keys", "status", "portcullis-fields");
        assertThat(late.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(late.out()).contains("yes");
    }

    @Test
    void statusOfAnUnknownKeyCouldNotRunWithTheServersMessage() {
        Run r = run("keys", "status", "nope");

        assertThat(r.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(r.err()).contains("no key 'nope' in the catalog").contains("HTTP 404");
    }

    @Test
    void rotatePostsAndReportsTheNewVersion() {
        Run r = run("keys", "rotate", "portcullis-fields");

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("portcullis-fields: rotated; now at version 5");
        assertThat(api.requests()).containsExactly("POST /v1/admin/keys/portcullis-fields/rotate");
    }

    @Test
    void rotateWhileAnotherInstanceRotatesCouldNotRun() {
        rotateConflict = true;
        Run r = run("keys", "rotate", "portcullis-fields");

        assertThat(r.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(r.err()).contains("another instance is rotating");
    }

    @Test
    void rewrapFollowsTheStreamedProgressAndReportsTheResult() {
        Run r = run("keys", "rewrap", "portcullis-fields", "--progress"); // the bar, as on a terminal

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("re-wrapped 300 to version 4 in 3 batches");
        assertThat(api.requests()).containsExactly("POST /v1/admin/keys/portcullis-fields/rewrap");
    }

    @Test
    void rewrapWithFailedKeysFailsTheCheck() {
        rewrapFails = true;
        Run r = run("keys", "rewrap", "portcullis-fields", "--output", "json");

        assertThat(r.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(r.out()).contains("\"failed\":1").contains("\"complete\":false");
    }

    @Test
    void aWrongTokenIsAccessDenied() throws IOException {
        Files.writeString(api.tokenFile(), "wrong");
        Run r = run("keys", "list");

        assertThat(r.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(r.err()).contains("admin credentials required").contains("HTTP 401").doesNotContain("wrong");
    }

    @Test
    void withoutATokenItCouldNotRun() {
        Run r = runCli("keys", "list", "--url=" + api.url());

        assertThat(r.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(r.err()).contains("no admin token");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void anUnreachableServiceCouldNotRun() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = runCli("keys", "list", "--url=http://127.0.0.1:" + port, "--token-file=" + api.tokenFile());

        assertThat(r.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(r.err()).contains("cannot reach the Portcullis service");
    }

    @Test
    void plainHttpToAnotherHostIsRefusedBeforeSendingTheToken() {
        Run r = runCli("keys", "list", "--url=http://portcullis.example:8443", "--token-file=" + api.tokenFile());

        assertThat(r.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(r.err()).contains("refusing to send the admin token over plain http");
    }

    @Test
    void everyKeysCommandHasHelp() {
        for (String command : List.of("list", "status", "rotate", "rewrap")) {
            Run r = runCli("keys", command, "--help");
            assertThat(r.exit()).as(command).isEqualTo(ExitCode.OK);
            assertThat(r.out()).as(command).contains("Usage: portcullis keys " + command);
        }
    }
}
