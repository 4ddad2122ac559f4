package dev.portcullis.cli.anomalies;

import static dev.portcullis.cli.FakeAdminApi.respond;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.admin.AnomalyAdmin;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.FakeAdminApi;
import dev.portcullis.cli.FakeAdminApi.Run;

/**
 * {@code portcullis anomalies list|ack} without {@code --store}: through an HTTP server on
 * 127.0.0.1 answering in the admin API's shapes; the end-to-end run against the real service is
 * {@code OnlineAnomalyDetectionIT}.
 */
class AnomaliesAlertsFromServiceTest {

    private static final String ID = "01JD0000000000000000000001";
    private static final AlertRecord RECORD = new AlertRecord(ID, Instant.parse("2026-11-23T02:01:00Z"),
            new Alert("brute-force", Severity.HIGH, Entity.subject("alice"), Instant.parse("2026-11-23T02:00:00Z"),
                    Instant.parse("2026-11-23T02:01:00Z"), 0.6, List.of("01JD0000000000000000000009"), "12 failed logins"),
            null);

    @TempDir
    Path dir;

    private FakeAdminApi api;

    @BeforeEach
    void start() throws IOException {
        api = new FakeAdminApi(dir, "/v1/admin/anomalies", this::handle);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private void handle(HttpExchange exchange, byte[] body) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (exchange.getRequestMethod().equals("GET") && path.equals("/v1/admin/anomalies")) {
            respond(exchange, 200, "{\"alerts\":[" + AnomalyAdmin.toJson(RECORD) + "],\"count\":1}");
        } else if (path.equals("/v1/admin/anomalies/" + ID + "/ack")) {
            String note = new String(body, StandardCharsets.UTF_8).contains("pentest") ? "pentest" : null;
            respond(exchange, 200, AnomalyAdmin.toJson(RECORD.withAcknowledgement(
                    new AlertRecord.Acknowledgement("sec-admin", Instant.parse("2026-11-23T03:00:00Z"), note))));
        } else {
            respond(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no alert has that id\"}");
        }
    }

    @Test
    void listAsksTheServiceAndPrintsItsAlerts() {
        Run table = api.run("anomalies", "list", "--all", "--limit", "5");
        Run json = api.run("anomalies", "list", "--output", "json");

        assertThat(table.exit()).as(table.err()).isEqualTo(ExitCode.OK);
        assertThat(table.out()).startsWith("1 alert(s)").contains(ID).contains("brute-force").contains("subject:alice")
                .contains("12 failed logins");
        assertThat(json.out().strip()).isEqualTo(AnomalyAdmin.toJson(RECORD));
        assertThat(api.requests()).containsExactly("GET /v1/admin/anomalies?all=true&limit=5",
                "GET /v1/admin/anomalies?all=false&limit=100");
    }

    @Test
    void ackPostsTheNoteAndTheServiceSaysWhoAcknowledged() {
        Run r = api.run("anomalies", "ack", ID, "--note", "pentest");

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out().strip()).isEqualTo("alert " + ID + " acknowledged by sec-admin at 2026-11-23T03:00:00Z");
        assertThat(api.requests()).containsExactly("POST /v1/admin/anomalies/" + ID + "/ack {\"note\":\"pentest\"}");
    }

    @Test
    void ackOfAnUnknownIdFailsTheCheckAndByIsRefusedWithoutAStore() {
        Run unknown = api.run("anomalies", "ack", "01JDNOPE000000000000000000");
        Run by = api.run("anomalies", "ack", ID, "--by", "someone-else");

        assertThat(unknown.exit()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(unknown.err()).contains("the service has no alert with id 01JDNOPE000000000000000000");
        assertThat(by.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(by.err()).contains("--by is for --store");
        assertThat(api.requests()).containsExactly("POST /v1/admin/anomalies/01JDNOPE000000000000000000/ack {}");
    }

    @Test
    void aLimitTheServiceWouldRefuseIsRefusedBeforeAsking() {
        Run r = api.run("anomalies", "list", "--limit", "0");

        assertThat(r.exit()).isEqualTo(ExitCode.COULD_NOT_RUN);
        assertThat(r.err()).contains("--limit must be from 1 to 10000");
        assertThat(api.requests()).isEmpty();
    }
}
