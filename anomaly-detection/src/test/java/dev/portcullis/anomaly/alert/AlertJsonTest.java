package dev.portcullis.anomaly.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;

class AlertJsonTest {

    private final Alert alert = new Alert("credential-stuffing", Severity.HIGH, Entity.ip("203.0.113.7"),
            Instant.parse("2026-11-23T02:00:00Z"), Instant.parse("2026-11-23T02:04:10Z"), 0.97,
            List.of("01JD4V9Q6ZK8M2X3N4P5R6S7T8", "01JD4V9Q6ZK8M2X3N4P5R6S7T9"),
            "412 failed logins for 380 distinct subjects in 250 s (baseline 0.2/min)");

    @Test
    void writesExactlyTheContractsMembersInItsOrder() {
        assertThat(AlertJson.toJson(alert)).isEqualTo("{\"detector\":\"credential-stuffing\",\"severity\":\"high\","
                + "\"entity\":{\"kind\":\"ip\",\"value\":\"203.0.113.7\"},\"start\":\"2026-11-23T02:00:00.000Z\","
                + "\"end\":\"2026-11-23T02:04:10.000Z\",\"score\":0.97,"
                + "\"event_ids\":[\"01JD4V9Q6ZK8M2X3N4P5R6S7T8\",\"01JD4V9Q6ZK8M2X3N4P5R6S7T9\"],"
                + "\"explanation\":\"412 failed logins for 380 distinct subjects in 250 s (baseline 0.2/min)\"}");
    }

    @Test
    void readsTheContractsExampleBack() {
        assertThat(AlertJson.parse(AlertJson.toJson(alert))).isEqualTo(alert);
    }

    @Test
    void rejectsAMemberTheContractDoesNotName() {
        String json = AlertJson.toJson(alert).replace("\"score\"", "\"extra\":1,\"score\"");
        assertThatThrownBy(() -> AlertJson.parse(json)).hasMessage("alert member 'extra' is not part of the contract");
    }

    @Test
    void rejectsAnUnknownSeverityOrKindOrTimeFormat() {
        String json = AlertJson.toJson(alert);
        assertThatThrownBy(() -> AlertJson.parse(json.replace("\"high\"", "\"severe\"")))
                .hasMessageContaining("'severity'");
        assertThatThrownBy(() -> AlertJson.parse(json.replace("\"ip\"", "\"host\"")))
                .hasMessageContaining("'entity.kind'");
        assertThatThrownBy(() -> AlertJson.parse(json.replace("02:00:00.000Z", "02:00:00Z")))
                .hasMessageContaining("'start'");
    }

    @Test
    void anAlertNeedsEvidenceAndAScoreWithinRange() {
        assertThatThrownBy(() -> new Alert("x", Severity.LOW, Entity.ip("1.2.3.4"), Instant.EPOCH, Instant.EPOCH, 0.5,
                List.of(), "why")).hasMessageContaining("at least one event id");
        assertThatThrownBy(() -> new Alert("x", Severity.LOW, Entity.ip("1.2.3.4"), Instant.EPOCH, Instant.EPOCH, 1.5,
                List.of("a"), "why")).hasMessageContaining("score");
        assertThatThrownBy(() -> new Alert("x", Severity.LOW, Entity.ip("1.2.3.4"), Instant.EPOCH.plusSeconds(1),
                Instant.EPOCH, 0.5, List.of("a"), "why")).hasMessageContaining("before its start");
    }
}
