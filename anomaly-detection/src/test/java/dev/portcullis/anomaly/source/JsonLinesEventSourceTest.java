package dev.portcullis.anomaly.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Events;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.json.AuditEventJson;

class JsonLinesEventSourceTest {

    private final AuditEventJson json = new AuditEventJson();

    private String line(int i) {
        return json.toJson(Events.request(Events.T0.plusSeconds(i), Events.user("u" + i, "10.0.0." + i, "ua"),
                "GET", "/orders/" + i, Outcome.ALLOW));
    }

    private static List<AuditEvent> readAll(JsonLinesEventSource source) throws IOException {
        List<AuditEvent> events = new ArrayList<>();
        for (AuditEvent e = source.next(); e != null; e = source.next()) {
            events.add(e);
        }
        return events;
    }

    @Test
    void skipsMalformedLinesWithTheirLineNumbersAndReadsTheRest() throws IOException {
        String input = String.join("\n",
                line(1),
                "{\"id\": \"not json",
                line(2),
                "",
                "[1, 2, 3]",
                line(3).replace("\"authz.decision\"", "\"authz.unknown\""),
                line(4).replace("\"outcome\":\"allow\"", "\"outcome\":\"maybe\""),
                line(5)) + "\n";

        try (JsonLinesEventSource source = new JsonLinesEventSource(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), json)) {
            List<AuditEvent> events = readAll(source);

            assertThat(events).extracting(AuditEvent::resource).containsExactly("/orders/1", "/orders/2", "/orders/5");
            assertThat(source.skipped().count()).isEqualTo(4);
            assertThat(source.skipped().lineNumbers()).containsExactly(2L, 5L, 6L, 7L);
            assertThat(source.skipped().listed()).extracting(SkippedLines.Skipped::reason).containsExactly(
                    "not valid JSON",
                    "an event must be a JSON object",
                    "member 'type' is not one of the contract's event types",
                    "member 'outcome' must be one of allow, deny, error, success, failure");
        }
    }

    @Test
    void reasonsNeverQuoteTheLinesContent() throws IOException {
        String input = "{\"secret-looking\": tokenvalue123}\n";
        try (JsonLinesEventSource source = new JsonLinesEventSource(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), json)) {
            assertThat(source.next()).isNull();
            assertThat(source.skipped().listed().getFirst().reason()).doesNotContain("tokenvalue123");
        }
    }

    @Test
    void skipsALineOverTheSizeLimitWithoutHoldingItAndGoesOn() throws IOException {
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes((line(1) + "\n").getBytes(StandardCharsets.UTF_8));
        input.writeBytes("x".repeat(5_000_000).getBytes(StandardCharsets.UTF_8));
        input.writeBytes(("\n" + line(2) + "\n").getBytes(StandardCharsets.UTF_8));

        try (JsonLinesEventSource source = new JsonLinesEventSource(new ByteArrayInputStream(input.toByteArray()), json)) {
            assertThat(readAll(source)).hasSize(2);
            assertThat(source.skipped().listed()).singleElement().satisfies(s -> {
                assertThat(s.line()).isEqualTo(2);
                assertThat(s.reason()).contains("over the event size limit");
            });
        }
    }

    @Test
    void skipsALineThatIsNotUtf8() throws IOException {
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, '\n'});
        input.writeBytes((line(1) + "\r\n").getBytes(StandardCharsets.UTF_8));

        try (JsonLinesEventSource source = new JsonLinesEventSource(new ByteArrayInputStream(input.toByteArray()), json)) {
            assertThat(readAll(source)).hasSize(1);
            assertThat(source.skipped().listed()).singleElement()
                    .isEqualTo(new SkippedLines.Skipped(1, "line is not valid UTF-8"));
        }
    }

    @Test
    void skipsATornLastLine() throws IOException {
        String input = line(1) + "\n" + line(2).substring(0, 40);
        try (JsonLinesEventSource source = new JsonLinesEventSource(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), json)) {
            assertThat(readAll(source)).hasSize(1);
            assertThat(source.skipped().lineNumbers()).containsExactly(2L);
        }
    }

    @Test
    void countsEverySkippedLineButListsTheFirstThousand() throws IOException {
        String input = "garbage\n".repeat(1500) + line(1) + "\n";
        try (JsonLinesEventSource source = new JsonLinesEventSource(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), json)) {
            assertThat(readAll(source)).hasSize(1);
            assertThat(source.skipped().count()).isEqualTo(1500);
            assertThat(source.skipped().listed()).hasSize(SkippedLines.MAX_LISTED);
        }
    }
}
