package dev.portcullis.fields.testing;

import java.util.ArrayList;
import java.util.List;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.json.AuditEventJson;

/**
 * An {@link AuditSink} for integration tests that writes each event through the audit contract's
 * strict JSON codec and reads it back, so an event the real audit log would reject fails the test.
 */
public final class ContractCheckingAuditSink implements AuditSink {

    private final AuditEventJson codec = new AuditEventJson();
    private final List<String> lines = new ArrayList<>();
    private final List<AuditEvent> events = new ArrayList<>();

    @Override
    public synchronized void append(AuditEvent event) {
        String json = codec.toJson(event);
        events.add(codec.parse(json));
        lines.add(json);
    }

    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    /** The events as JSON lines, as they would be exported. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
