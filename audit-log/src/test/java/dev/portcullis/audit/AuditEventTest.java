package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.json.AuditEventJson;

class AuditEventTest {

    private static AuditEvent at(Instant time) {
        return AuditEvent.builder(EventType.AUTHZ_DECISION, time).id("01JD4V9Q6ZK8M2X3N4P5R6S7T8")
                .action("GET").resource("/x").outcome(Outcome.DENY).build();
    }

    @Test
    void buildWhenTheTimeIsOutsideFourDigitYearsThenRejectedNamingTheRange() {
        for (String time : new String[] {"+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59.999Z", "+1000000000-01-01T00:00:00Z"}) {
            assertThatThrownBy(() -> at(Instant.parse(time))).as(time).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("time must be from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (RFC 3339 writes"
                            + " four-digit years), was " + Instant.parse(time));
        }

        // The edges are events, and what is written of them reads back.
        AuditEventJson json = new AuditEventJson();
        for (String time : new String[] {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"}) {
            AuditEvent event = at(Instant.parse(time));
            assertThat(json.parse(json.canonicalBytes(event))).as(time).isEqualTo(event);
        }
    }
}
