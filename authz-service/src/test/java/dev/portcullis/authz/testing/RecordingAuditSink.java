package dev.portcullis.authz.testing;

import java.util.ArrayList;
import java.util.List;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditSink;

/** An in-memory audit sink for unit tests; can be told to fail like a full disk. */
public final class RecordingAuditSink implements AuditSink {

    private final List<AuditEvent> events = new ArrayList<>();
    private volatile boolean failing;

    @Override
    public synchronized void append(AuditEvent event) {
        if (failing) {
            throw new AuditException("disk full (simulated)");
        }
        events.add(event);
    }

    public void failFromNowOn() {
        failing = true;
    }

    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public synchronized AuditEvent only() {
        if (events.size() != 1) {
            throw new AssertionError("expected exactly one audit event, got " + events.size() + ": " + events);
        }
        return events.get(0);
    }
}
