package dev.portcullis.anomaly.admin;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.portcullis.anomaly.alert.AlertJson;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.alert.AlertStore;
import dev.portcullis.anomaly.online.OnlineDetection;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.json.AuditEventJson;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The facade the service puts behind {@code /v1/admin/anomalies} (and the CLI uses locally): list
 * alerts, acknowledge one, report the online detector's status, each as JSON ready to send. Every
 * acknowledgement is recorded as an {@code admin.action} audit event by the acknowledging admin
 * <em>before</em> it is stored: an acknowledgement that cannot be audited is refused (fail closed).
 *
 * <p>JSON shapes (proposed for the admin API):
 * <pre>
 * GET  /v1/admin/anomalies?all=false&amp;limit=100  -&gt; 200 {"alerts": [RECORD...], "count": n}
 * POST /v1/admin/anomalies/{id}/ack {"note": "..."}  -&gt; 200 RECORD | 404 | 400 {"error": "..."}
 * GET  /v1/admin/anomalies/status                  -&gt; 200 {"running": true, "next_index": ..., ...}
 * RECORD = {"id": "01J...", "detected_at": "...Z", "alert": {contract alert JSON},
 *           "acknowledged": null | {"by": "sec-admin", "at": "...Z", "note": "..." | null}}
 * </pre>
 */
public final class AnomalyAdmin {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final AlertStore store;
    private final AuditSink audit;
    private final Clock clock;
    private final OnlineDetection online;

    /**
     * @param online the running online detection, or null when this process does not run one
     */
    public AnomalyAdmin(AlertStore store, AuditSink audit, Clock clock, OnlineDetection online) {
        this.store = Objects.requireNonNull(store, "store cannot be null");
        this.audit = Objects.requireNonNull(audit, "audit cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.online = online;
    }

    public List<AlertRecord> list(boolean includeAcknowledged, int limit) throws IOException {
        return store.list(includeAcknowledged, Math.max(0, Math.min(limit, 10_000)));
    }

    /**
     * Acknowledges alert {@code id} as admin {@code by}; audited first.
     *
     * @return the acknowledged record, or empty when no alert has that id
     * @throws IllegalArgumentException when {@code by} or {@code note} is not acceptable
     * @throws dev.portcullis.audit.AuditException when the acknowledgement cannot be audited (nothing is stored)
     */
    public Optional<AlertRecord> acknowledge(String id, String by, String note) throws IOException {
        Optional<AlertRecord> existing = store.get(id);
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        if (existing.get().acknowledged()) {
            return existing;
        }
        audit.append(AuditEvent.builder(EventType.ADMIN_ACTION, clock.instant())
                .actor(new Actor(by, null, null, null, null, null, null))
                .action("acknowledge-alert").resource("anomaly:" + id).outcome(Outcome.SUCCESS)
                .attributes(note == null ? Map.of() : Map.of("note", note)).build());
        return store.acknowledge(id, by, note, clock.instant());
    }

    /** {@code {"alerts": [...], "count": n}}. */
    public String listJson(boolean includeAcknowledged, int limit) throws IOException {
        List<AlertRecord> records = list(includeAcknowledged, limit);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode alerts = root.putArray("alerts");
        records.forEach(r -> alerts.add(toTree(r)));
        root.put("count", records.size());
        return MAPPER.writeValueAsString(root);
    }

    /** The online detector's status as JSON ({@code {"running": false}} when there is none). */
    public String statusJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        if (online == null) {
            root.put("running", false);
            return MAPPER.writeValueAsString(root);
        }
        OnlineDetection.Status s = online.status();
        root.put("running", s.running());
        root.put("next_index", s.nextIndex());
        root.put("log_size", s.logSize());
        root.put("lag", Math.max(0, s.logSize() - s.nextIndex()));
        root.put("processed", s.processed());
        root.put("replayed", s.replayed());
        root.put("malformed", s.malformed());
        root.put("alerts", s.alerts());
        root.put("last_event_time", s.lastEventTime() == null ? null : AuditEventJson.formatTime(s.lastEventTime()));
        root.put("last_error", s.lastError());
        return MAPPER.writeValueAsString(root);
    }

    /** One record as the admin API and {@code anomalies list --output json} write it. */
    public static ObjectNode toTree(AlertRecord r) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", r.id());
        node.put("detected_at", AuditEventJson.formatTime(r.detectedAt()));
        node.set("alert", AlertJson.toTree(r.alert()));
        if (r.acknowledgement() == null) {
            node.putNull("acknowledged");
        } else {
            ObjectNode ack = node.putObject("acknowledged");
            ack.put("by", r.acknowledgement().by());
            ack.put("at", AuditEventJson.formatTime(r.acknowledgement().at()));
            ack.put("note", r.acknowledgement().note());
        }
        return node;
    }

    public static String toJson(AlertRecord r) {
        return MAPPER.writeValueAsString(toTree(r));
    }
}
