package dev.portcullis.keys.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;

/** An audit sink that keeps every event in memory, for assertions. */
public final class RecordingAuditSink implements AuditSink {

    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void append(AuditEvent event) {
        events.add(event);
    }

    public List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public List<AuditEvent> ofType(EventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    public List<AuditEvent> ofTypeAndAction(EventType type, String action) {
        return events.stream().filter(e -> e.type() == type && e.action().equals(action)).toList();
    }
}
