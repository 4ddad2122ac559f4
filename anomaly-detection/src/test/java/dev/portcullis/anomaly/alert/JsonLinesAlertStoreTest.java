package dev.portcullis.anomaly.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;

class JsonLinesAlertStoreTest {

    @TempDir
    Path dir;

    private static Alert alert(String subject, String firstEvent) {
        return new Alert("brute-force", Severity.HIGH, Entity.subject(subject), Instant.parse("2026-11-23T02:00:00Z"),
                Instant.parse("2026-11-23T02:01:00Z"), 0.6, List.of(firstEvent), "10 failed logins");
    }

    @Test
    void keepsListsAndAcknowledgesAlertsAcrossInstances() throws IOException {
        Path file = dir.resolve("state/alerts.jsonl");
        JsonLinesAlertStore store = new JsonLinesAlertStore(file);
        store.add("01JD0000000000000000000001", Instant.parse("2026-11-23T02:01:00Z"), alert("alice", "e1"));
        store.add("01JD0000000000000000000002", Instant.parse("2026-11-23T02:02:00Z"), alert("bob", "e2"));

        Instant at = Instant.parse("2026-11-23T03:00:00Z");
        assertThat(store.acknowledge("01JD0000000000000000000001", "sec-admin", "known pentest", at))
                .hasValueSatisfying(r -> assertThat(r.acknowledgement()).isEqualTo(
                        new AlertRecord.Acknowledgement("sec-admin", at, "known pentest")));

        JsonLinesAlertStore reopened = new JsonLinesAlertStore(file);
        assertThat(reopened.list(false, 100)).extracting(AlertRecord::id).containsExactly("01JD0000000000000000000002");
        assertThat(reopened.list(true, 100)).extracting(AlertRecord::id)
                .containsExactly("01JD0000000000000000000002", "01JD0000000000000000000001");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void acknowledgingTwiceKeepsTheFirstAcknowledgementAndNothingIsRewritten() throws IOException {
        JsonLinesAlertStore store = new JsonLinesAlertStore(dir.resolve("alerts.jsonl"));
        store.add("01JD0000000000000000000001", Instant.parse("2026-11-23T02:01:00Z"), alert("alice", "e1"));
        store.acknowledge("01JD0000000000000000000001", "first", null, Instant.parse("2026-11-23T03:00:00Z"));
        String before = Files.readString(store.file());

        assertThat(store.acknowledge("01JD0000000000000000000001", "second", "x", Instant.parse("2026-11-23T04:00:00Z")))
                .hasValueSatisfying(r -> assertThat(r.acknowledgement().by()).isEqualTo("first"));
        assertThat(Files.readString(store.file())).isEqualTo(before);
        assertThat(before.lines()).hasSize(2);
    }

    @Test
    void keepsOneRecordPerFingerprint() throws IOException {
        JsonLinesAlertStore store = new JsonLinesAlertStore(dir.resolve("alerts.jsonl"));
        AlertRecord first = store.add("01JD0000000000000000000001", Instant.parse("2026-11-23T02:01:00Z"), alert("alice", "e1"));
        AlertRecord again = store.add("01JD0000000000000000000009", Instant.parse("2026-11-23T05:00:00Z"), alert("alice", "e1"));
        assertThat(again).isEqualTo(first);
        assertThat(store.list(true, 10)).hasSize(1);
    }

    @Test
    void unknownIdIsEmptyAndBadInputIsRefusedWithoutWriting() throws IOException {
        JsonLinesAlertStore store = new JsonLinesAlertStore(dir.resolve("alerts.jsonl"));
        store.add("01JD0000000000000000000001", Instant.parse("2026-11-23T02:01:00Z"), alert("alice", "e1"));
        assertThat(store.acknowledge("01JDNOPE", "sec-admin", null, Instant.now())).isEmpty();
        assertThatThrownBy(() -> store.acknowledge("01JD0000000000000000000001", " ", null, Instant.now()))
                .hasMessageContaining("'by' cannot be blank");
        assertThatThrownBy(() -> store.acknowledge("01JD0000000000000000000001", "a\nb", null, Instant.now()))
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> store.acknowledge("01JD0000000000000000000001", "x", "n".repeat(1001), Instant.now()))
                .hasMessageContaining("longer than 1000");
        assertThat(Files.readString(store.file()).lines()).hasSize(1);
    }

    @Test
    void survivesATornLastLineAndWritesTheNextRecordOnAFreshLine() throws IOException {
        Path file = dir.resolve("alerts.jsonl");
        JsonLinesAlertStore store = new JsonLinesAlertStore(file);
        store.add("01JD0000000000000000000001", Instant.parse("2026-11-23T02:01:00Z"), alert("alice", "e1"));
        Files.writeString(file, "{\"record\":\"alert\",\"id\":\"01JD00", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        store.add("01JD0000000000000000000002", Instant.parse("2026-11-23T02:02:00Z"), alert("bob", "e2"));

        assertThat(store.list(true, 10)).extracting(AlertRecord::id)
                .containsExactly("01JD0000000000000000000002", "01JD0000000000000000000001");
        assertThat(Files.readString(file).lines()).hasSize(3);
    }
}
