package dev.portcullis.anomaly.alert;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.audit.json.AuditEventJson;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes alerts as the contract's anomaly alert JSON: exactly the members
 * {@code detector, severity, entity{kind,value}, start, end, score, event_ids, explanation}, in
 * that order, times as RFC 3339 UTC with milliseconds. Reading is strict: a missing, extra or
 * wrongly typed member is an error naming the member.
 */
public final class AlertJson {

    private static final Set<String> MEMBERS = Set.of("detector", "severity", "entity", "start", "end", "score",
            "event_ids", "explanation");
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private AlertJson() {
    }

    /** The alert as one line of JSON. */
    public static String toJson(Alert alert) {
        return MAPPER.writeValueAsString(toTree(alert));
    }

    /** The alert as a JSON tree, members in the contract's order. */
    public static ObjectNode toTree(Alert alert) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode node = f.objectNode();
        node.put("detector", alert.detector());
        node.put("severity", alert.severity().wireName());
        ObjectNode entity = node.putObject("entity");
        entity.put("kind", alert.entity().kind().wireName());
        entity.put("value", alert.entity().value());
        node.put("start", AuditEventJson.formatTime(alert.start()));
        node.put("end", AuditEventJson.formatTime(alert.end()));
        node.put("score", alert.score());
        ArrayNode ids = node.putArray("event_ids");
        alert.eventIds().forEach(ids::add);
        node.put("explanation", alert.explanation());
        return node;
    }

    /** The alert as plain Java values (for an audit event's attributes). */
    public static Map<String, Object> toMap(Alert alert) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("detector", alert.detector());
        map.put("severity", alert.severity().wireName());
        Map<String, Object> entity = new LinkedHashMap<>();
        entity.put("kind", alert.entity().kind().wireName());
        entity.put("value", alert.entity().value());
        map.put("entity", entity);
        map.put("start", AuditEventJson.formatTime(alert.start()));
        map.put("end", AuditEventJson.formatTime(alert.end()));
        map.put("score", alert.score());
        map.put("event_ids", List.copyOf(alert.eventIds()));
        map.put("explanation", alert.explanation());
        return map;
    }

    /**
     * Parses one alert.
     *
     * @throws IllegalArgumentException naming the first member that does not follow the contract
     */
    public static Alert parse(String json) {
        Objects.requireNonNull(json, "json cannot be null");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("alert is not valid JSON: " + e.getOriginalMessage());
        }
        return fromTree(root);
    }

    /** Reads an alert from a JSON tree, strictly (see {@link #parse}). */
    public static Alert fromTree(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("an alert must be a JSON object");
        }
        for (String name : root.propertyNames()) {
            if (!MEMBERS.contains(name)) {
                throw new IllegalArgumentException("alert member '" + name + "' is not part of the contract");
            }
        }
        String detector = string(root, "detector");
        Severity severity = Severity.fromWireName(string(root, "severity")).orElseThrow(() ->
                new IllegalArgumentException("alert member 'severity' must be low, medium, high or critical"));
        JsonNode entity = root.get("entity");
        if (entity == null || !entity.isObject() || entity.size() != 2) {
            throw new IllegalArgumentException("alert member 'entity' must be an object with 'kind' and 'value'");
        }
        EntityKind kind = EntityKind.fromWireName(string(entity, "kind")).orElseThrow(() ->
                new IllegalArgumentException("alert member 'entity.kind' must be subject, ip, client, token or spiffe"));
        String value = string(entity, "value");
        JsonNode score = root.get("score");
        if (score == null || !score.isNumber()) {
            throw new IllegalArgumentException("alert member 'score' must be a number");
        }
        JsonNode ids = root.get("event_ids");
        if (ids == null || !ids.isArray()) {
            throw new IllegalArgumentException("alert member 'event_ids' must be an array of strings");
        }
        List<String> eventIds = new ArrayList<>();
        for (JsonNode id : ids) {
            if (!id.isString()) {
                throw new IllegalArgumentException("alert member 'event_ids' must be an array of strings");
            }
            eventIds.add(id.stringValue());
        }
        return new Alert(detector, severity, new Entity(kind, value), time(root, "start"), time(root, "end"),
                score.doubleValue(), eventIds, string(root, "explanation"));
    }

    private static String string(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("alert member '" + name + "' must be a string");
        }
        return value.stringValue();
    }

    private static Instant time(JsonNode node, String name) {
        String text = string(node, name);
        try {
            Instant parsed = Instant.parse(text);
            if (!AuditEventJson.formatTime(parsed).equals(text)) {
                throw new DateTimeParseException("not in the contract's form", text, 0);
            }
            return parsed;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("alert member '" + name
                    + "' must be RFC 3339 UTC with milliseconds, e.g. 2026-11-23T02:00:00.000Z");
        }
    }
}
