package dev.portcullis.anomaly.admin;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import dev.portcullis.anomaly.alert.AlertJson;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.alert.AlertStore;
import dev.portcullis.anomaly.online.OnlineDetection;
import dev.portcullis.anomaly.response.OpaBlocklistResponder;
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
 * GET  /v1/admin/anomalies/blocks                  -&gt; 200 {"blocks": [{"key", "until", "reason", "alert_id"}], "count": n}
 * POST /v1/admin/anomalies/unblock {"key": "ip:203.0.113.7"} -&gt; 200 {"unblocked": key} | 404
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
    private final OpaBlocklistResponder blocklist;

    /**
     * @param online the running online detection, or null when this process does not run one
     */
    public AnomalyAdmin(AlertStore store, AuditSink audit, Clock clock, OnlineDetection online) {
        this(store, audit, clock, online, null);
    }

    /**
     * @param blocklist the block-list response whose blocks admins may list and lift, or null when off
     */
    public AnomalyAdmin(AlertStore store, AuditSink audit, Clock clock, OnlineDetection online,
            OpaBlocklistResponder blocklist) {
        this.store = Objects.requireNonNull(store, "store cannot be null");
        this.audit = Objects.requireNonNull(audit, "audit cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.online = online;
        this.blocklist = blocklist;
    }

    /** Whether a block-list response runs here (its blocks can be listed and lifted). */
    public boolean blocklistEnabled() {
        return blocklist != null;
    }

    /**
     * {@code {"blocks": [{"key", "until", "reason", "alert_id"}], "count": n}}: the unexpired blocks
     * OPA enforces, by key.
     *
     * @throws IOException when OPA cannot be asked
     */
    public String blocksJson() throws IOException {
        requireBlocklist();
        Map<String, OpaBlocklistResponder.Entry> enforced;
        try {
            enforced = blocklist.enforced();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking OPA for its block list", e);
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode blocks = root.putArray("blocks");
        new TreeMap<>(enforced).forEach((key, entry) -> {
            ObjectNode node = blocks.addObject();
            node.put("key", key);
            node.put("until", AuditEventJson.formatTime(entry.until()));
            node.put("reason", entry.reason());
            node.put("alert_id", entry.alertId());
        });
        root.put("count", blocks.size());
        return MAPPER.writeValueAsString(root);
    }

    /**
     * Lifts the block on {@code key} (e.g. {@code ip:203.0.113.7}) as admin {@code by}: an automatic
     * response can be wrong, and without this its block came back (the reconciler re-pushes what it
     * holds) until it expired. Audited first ({@code admin.action unblock}), so a lift that cannot be
     * audited does not happen; a failure to write OPA afterwards is audited too.
     *
     * @return false when no unexpired block has that key
     * @throws IOException when OPA could not be updated (the block stays)
     */
    public boolean unblock(String key, String by) throws IOException {
        requireBlocklist();
        Objects.requireNonNull(key, "key cannot be null");
        try {
            if (!blocklist.enforced().containsKey(key)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking OPA for its block list", e);
        }
        String resource = "opa:blocklist/" + key;
        audit.append(AuditEvent.builder(EventType.ADMIN_ACTION, clock.instant())
                .actor(new Actor(by, null, null, null, null, null, null))
                .action("unblock").resource(resource).outcome(Outcome.SUCCESS).build());
        try {
            return blocklist.unblock(key);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            audit.append(AuditEvent.builder(EventType.ADMIN_ACTION, clock.instant())
                    .actor(new Actor(by, null, null, null, null, null, null))
                    .action("unblock").resource(resource).outcome(Outcome.FAILURE)
                    .reason("opa_unavailable").build());
            throw new IOException("OPA could not be updated; the block stays: " + e.getClass().getSimpleName(), e);
        }
    }

    private void requireBlocklist() {
        if (blocklist == null) {
            throw new IllegalStateException("the block-list response is off");
        }
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

    /**
     * A record from the shape {@link #toTree} writes (an admin API answer, a line of
     * {@code anomalies list --output json}).
     *
     * @throws IllegalArgumentException when {@code node} is not of that shape
     */
    public static AlertRecord fromTree(tools.jackson.databind.JsonNode node) {
        try {
            tools.jackson.databind.JsonNode ack = node.path("acknowledged");
            AlertRecord.Acknowledgement acknowledgement = ack.isObject()
                    ? new AlertRecord.Acknowledgement(ack.path("by").asString(), java.time.Instant.parse(ack.path("at").asString()),
                            ack.path("note").isString() ? ack.path("note").asString() : null)
                    : null;
            return new AlertRecord(node.path("id").asString(), java.time.Instant.parse(node.path("detected_at").asString()),
                    AlertJson.fromTree(node.path("alert")), acknowledgement);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an alert record: " + e.getMessage(), e);
        }
    }

    public static String toJson(AlertRecord r) {
        return MAPPER.writeValueAsString(toTree(r));
    }
}
