package dev.portcullis.bench.audit;

import java.time.Instant;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/** A realistic authorization decision event, about 480 bytes in canonical form. */
final class BenchEvents {

    private BenchEvents() {
    }

    static AuditEvent decision(long i) {
        return AuditEvent.builder(EventType.AUTHZ_DECISION, Instant.parse("2026-11-23T10:00:00Z").plusMillis(i))
                .actor(new Actor("user-" + (i % 1000), "web-frontend", null, "10.1." + (i % 250) + "." + (i % 200),
                        "Mozilla/5.0 (X11; Linux x86_64)", "b3c1" + Long.toHexString(i * 7919), "9f2e" + Long.toHexString(i % 4099)))
                .action("GET").resource("/orders/" + i).outcome(i % 10 == 0 ? Outcome.DENY : Outcome.ALLOW)
                .reason(i % 10 == 0 ? "no-role" : "role:order-reader").requestId("c0ffee" + Long.toHexString(i))
                .attribute("policy_ms", 1.25).build();
    }
}
