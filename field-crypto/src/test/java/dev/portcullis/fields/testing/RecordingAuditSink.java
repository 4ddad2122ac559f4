package dev.portcullis.fields.testing;

import java.util.ArrayList;
import java.util.List;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditSink;

/** An {@link AuditSink} for tests: keeps events in memory; can be told to fail. */
public final class RecordingAuditSink implements AuditSink {

    private final List<AuditEvent> events = new ArrayList<>();
    private volatile boolean failing;

    @Override
    public synchronized void append(AuditEvent event) {
        if (failing) {
            throw new AuditException("audit log unavailable (test)");
        }
        events.add(event);
    }

    public void failing(boolean value) {
        this.failing = value;
    }

    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public synchronized AuditEvent last() {
        return events.get(events.size() - 1);
    }
}
