package dev.portcullis.audit.testing;

import java.time.Instant;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/** Audit events with valid defaults for tests: decision {@code i} at a fixed base time plus {@code i} ms. */
public final class TestEvents {

    public static final Instant BASE = Instant.parse("2026-11-23T10:00:00.000Z");

    private TestEvents() {
    }

    /** A fixed UUID (version 7 layout) for event {@code i}, so that the same i always gives the same event. */
    public static String id(long i) {
        return String.format("00000000-0000-7000-8000-%012x", i);
    }

    public static AuditEvent decision(long i) {
        return AuditEvent.builder(EventType.AUTHZ_DECISION, BASE.plusMillis(i))
                .id(id(i))
                .actor(new Actor("user-" + (i % 17), "web-frontend", null, "10.0.0." + (i % 250), "curl/8.5",
                        "tok-" + i, "sess-" + (i % 5)))
                .action("GET")
                .resource("/orders/" + i)
                .outcome(i % 3 == 0 ? Outcome.DENY : Outcome.ALLOW)
                .reason(i % 3 == 0 ? "no-role" : "role:order-reader")
                .requestId("req-" + i)
                .attribute("n", i)
                .build();
    }
}
