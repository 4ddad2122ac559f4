package dev.portcullis.audit.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.testing.TestEvents;

/**
 * Parsing an event from its UTF-8 bytes (what a log follower does with every entry) follows the
 * same rules as parsing its text, and rejects what the text path rejects.
 */
class AuditEventJsonBytesTest {

    private final AuditEventJson json = new AuditEventJson();

    private static List<AuditEvent> events() {
        List<AuditEvent> events = new ArrayList<>();
        for (long i = 0; i < 50; i++) {
            events.add(TestEvents.decision(i));
        }
        // Multi-byte UTF-8 in every kind of member: two-, three- and four-byte sequences.
        events.add(AuditEvent.builder(EventType.ADMIN_ACTION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .id("01JD0000000000000000000000")
                .actor(new Actor("zoë", null, null, "203.0.113.9", "агент/1.0 \uD83D\uDE80", null, null))
                .action("PUT")
                .resource("/commandes/é/日本")
                .outcome(Outcome.ALLOW)
                .reason("règle \uD83D\uDD12")
                .attribute("note", "naïve 𝄞")
                .attribute("count", 3)
                .build());
        return events;
    }

    @Test
    void bytesAndTextParseToTheSameEvent() {
        for (AuditEvent event : events()) {
            byte[] canonical = json.canonicalBytes(event);

            AuditEvent fromBytes = json.parse(canonical);

            assertThat(fromBytes).isEqualTo(json.parse(new String(canonical, StandardCharsets.UTF_8)));
            // And it is the event that was logged (numbers come back as the parser's types, so compare canonical forms).
            assertThat(json.canonicalBytes(fromBytes)).isEqualTo(canonical);
        }
    }

    @Test
    void theSizeLimitCountsTheBytes() {
        AuditEventJson small = new AuditEventJson(256);
        AuditEvent event = AuditEvent.builder(EventType.ADMIN_ACTION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .id("01JD0000000000000000000000").action("PUT").resource("/r").outcome(Outcome.ALLOW)
                // 100 three-byte characters: 100 chars of text, 300 bytes of UTF-8.
                .reason("日".repeat(100))
                .build();
        byte[] canonical = json.canonicalBytes(event);

        assertThatThrownBy(() -> small.parse(canonical)).isInstanceOf(MalformedEventException.class)
                .hasMessage("event is " + canonical.length + " bytes, over the limit of 256");
        assertThatThrownBy(() -> small.parse(new String(canonical, StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("over the limit of 256");
    }

    @Test
    void bytesThatAreNotUtf8AreRejectedNotReplaced() {
        byte[] canonical = json.canonicalBytes(TestEvents.decision(1));
        String text = new String(canonical, StandardCharsets.UTF_8);
        int reason = text.indexOf("\"reason\":\"") + "\"reason\":\"".length();
        byte[] broken = canonical.clone();
        broken[reason] = (byte) 0xC3; // starts a two-byte sequence ...
        broken[reason + 1] = (byte) 0x28; // ... that this byte does not continue

        assertThatThrownBy(() -> json.parse(broken)).isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("not valid JSON: ");
    }

    @Test
    void whatTheTextPathRejectsTheBytePathRejects() {
        String[] bad = {
            "[]",
            "{\"id\":\"01JD0000000000000000000000\",\"id\":\"01JD0000000000000000000001\"}",
            "{\"id\":",
            "{} {}",
        };
        for (String text : bad) {
            String textMessage = messageOf(() -> json.parse(text));
            String bytesMessage = messageOf(() -> json.parse(text.getBytes(StandardCharsets.UTF_8)));
            assertThat(bytesMessage).as(text).isNotNull();
            assertThat(textMessage).as(text).isNotNull();
            // Jackson's locations differ between a byte and a character source; the problem does not.
            assertThat(bytesMessage.replaceAll("(?s)\\s*at \\[.*", "")).as(text)
                    .isEqualTo(textMessage.replaceAll("(?s)\\s*at \\[.*", ""));
        }
    }

    @Test
    void aTimeOutsideRfc3339sFourDigitYearsIsRejected() {
        String canonical = new String(json.canonicalBytes(TestEvents.decision(1)), StandardCharsets.UTF_8);
        String time = canonical.replaceAll("(?s).*\"time\":\"([^\"]*)\".*", "$1");
        for (String bad : new String[] {"+1" + time, "-" + time, time.replace(".", ""), time.replace("Z", "+00:00")}) {
            String text = canonical.replace("\"time\":\"" + time + "\"", "\"time\":\"" + bad + "\"");

            assertThatThrownBy(() -> json.parse(text)).as(bad).isInstanceOf(MalformedEventException.class)
                    .hasMessageContaining("member 'time' must be RFC 3339");
        }
        assertThat(json.parse(canonical).time()).isEqualTo(TestEvents.decision(1).time());
    }

    private static String messageOf(Runnable parse) {
        try {
            parse.run();
            return null;
        } catch (MalformedEventException e) {
            return e.getMessage();
        }
    }
}
