package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.json.AuditEventJson;

class LogEntryTest {

    @Test
    void eventWhenTheStoredEntryHoldsAnIntegerBeyondTwoToThe53ThenItIsReadAsStored() {
        // Before such integers were refused, an import stored 9007199254740993 as ...992 (a double):
        // that entry is in the log for good, and query, export and detection must still read it.
        AuditEvent event = AuditEvent.builder(EventType.ADMIN_ACTION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .action("import").resource("x").outcome(Outcome.SUCCESS).attribute("order_id", 9007199254740991L).build();
        String stored = new String(new AuditEventJson().canonicalBytes(event), StandardCharsets.UTF_8)
                .replace("9007199254740991", "9007199254740992");

        AuditEvent read = new LogEntry(0, stored.getBytes(StandardCharsets.UTF_8)).event();

        assertThat(read.attributes()).containsEntry("order_id", new BigInteger("9007199254740992"));
    }
}
