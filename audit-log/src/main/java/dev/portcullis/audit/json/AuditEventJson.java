package dev.portcullis.audit.json;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.erdtman.jcs.JsonCanonicalizer;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventIds;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Reads and writes audit events as JSON, and produces their RFC 8785 canonical form, over which
 * an event's hash is taken (<a href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785</a>).
 *
 * <p>Reading is strict: every contract member must be present with the right type, {@code type}
 * and {@code outcome} must be from the contract's lists, {@code time} must be RFC 3339 UTC with
 * milliseconds, duplicate members are rejected, and an event larger than the size limit is
 * rejected before it is parsed. Members the contract does not name are kept as they are, the
 * actor's too. Every
 * string must be Unicode text: a lone UTF-16 surrogate (which JSON's escape &#92;uD800 can
 * spell) is rejected, since it has no RFC 8785 canonical form, and a canonicalizer that replaced
 * it would give two different events one hash; so must every member name.
 */
public final class AuditEventJson {

    /** The default size limit of one event's JSON text, in bytes of UTF-8. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

    private static final Set<String> CONTRACT_MEMBERS = AuditEvent.MEMBER_NAMES;
    private static final List<String> ACTOR_MEMBERS = Actor.MEMBER_NAMES;
    private static final Pattern ULID_OR_ANY_UUID = EventIds.ULID_OR_ANY_UUID;
    private static final Pattern ULID_OR_UUID_V7 = EventIds.ULID_OR_UUID_V7;
    /** RFC 3339, UTC ("Z"), exactly three fraction digits: the contract's time format. */
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT)
            .withZone(java.time.ZoneOffset.UTC);

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final int maxEventBytes;
    /**
     * Whether what was accepted when earlier entries were logged, and is refused now, is refused
     * (new events) or read as stored (logged ones): numbers outside I-JSON's range, and ids that
     * are UUIDs of another version than 7.
     */
    private final boolean refuseWhatWasOnceLogged;

    /** A codec with the {@linkplain #DEFAULT_MAX_EVENT_BYTES default size limit}. */
    public AuditEventJson() {
        this(DEFAULT_MAX_EVENT_BYTES);
    }

    public AuditEventJson(int maxEventBytes) {
        this(maxEventBytes, true);
    }

    private AuditEventJson(int maxEventBytes, boolean refuseWhatWasOnceLogged) {
        if (maxEventBytes < 256) {
            throw new IllegalArgumentException("maxEventBytes must be at least 256, was " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        this.refuseWhatWasOnceLogged = refuseWhatWasOnceLogged;
    }

    /**
     * A codec for reading back what a log already holds: no size limit, and numbers and ids read
     * as stored. Entries written before integers beyond 2^53 were refused hold such numbers
     * (rounded by the writer of the time), and entries imported before ids had to be ULIDs or
     * UUIDv7s may have a UUID of another version; they must stay readable (query, export,
     * detection), as their hashes are over those bytes and nothing else.
     */
    public static AuditEventJson forLoggedEntries() {
        return new AuditEventJson(Integer.MAX_VALUE, false);
    }

    public int maxEventBytes() {
        return maxEventBytes;
    }

    /** Formats an instant the way the contract writes {@code time}. */
    public static String formatTime(Instant time) {
        return TIME.format(time);
    }

    /**
     * Parses one event.
     *
     * @throws MalformedEventException naming the first problem found
     */
    public AuditEvent parse(String json) {
        Objects.requireNonNull(json, "json cannot be null");
        requireWithinLimit(json.getBytes(StandardCharsets.UTF_8).length);
        return parseTree(() -> MAPPER.readTree(json));
    }

    /**
     * Parses one event from its UTF-8 bytes, as a log stores it: the same rules as
     * {@link #parse(String)}, without decoding the bytes to a string first (a log follower parses
     * every entry, and the string and its re-encoding for the size check were a tenth of what it
     * allocated). Bytes that are not valid UTF-8 are rejected, not replaced.
     *
     * @throws MalformedEventException naming the first problem found
     */
    public AuditEvent parse(byte[] json) {
        Objects.requireNonNull(json, "json cannot be null");
        requireWithinLimit(json.length);
        return parseTree(() -> MAPPER.readTree(json));
    }

    private void requireWithinLimit(int size) {
        if (size > maxEventBytes) {
            throw new MalformedEventException("event is " + size + " bytes, over the limit of " + maxEventBytes);
        }
    }

    private AuditEvent parseTree(Supplier<JsonNode> readTree) {
        JsonNode root;
        try {
            root = readTree.get();
        } catch (JacksonException e) {
            throw new MalformedEventException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedEventException("an event must be a JSON object");
        }
        return fromTree((ObjectNode) root);
    }

    private AuditEvent fromTree(ObjectNode node) {
        String id = requiredString(node, "id");
        if (!(refuseWhatWasOnceLogged ? ULID_OR_UUID_V7 : ULID_OR_ANY_UUID).matcher(id).matches()) {
            throw new MalformedEventException(idProblem(id));
        }
        Instant time;
        String timeText = requiredString(node, "time");
        try {
            // The formatter also reads signed years (+12026, -0001), which RFC 3339's four digits exclude.
            if (timeText.startsWith("+") || timeText.startsWith("-")) {
                throw new DateTimeParseException("a signed year", timeText, 0);
            }
            time = Instant.from(TIME.parse(timeText));
        } catch (DateTimeParseException e) {
            throw new MalformedEventException(
                    "member 'time' must be RFC 3339 UTC with milliseconds, e.g. 2026-11-23T11:28:13.123Z");
        }
        String typeName = requiredString(node, "type");
        EventType type = EventType.fromWireName(typeName).orElseThrow(() ->
                new MalformedEventException("member 'type' is not one of the contract's event types"));
        String outcomeName = requiredString(node, "outcome");
        Outcome outcome = Outcome.fromWireName(outcomeName).orElseThrow(() ->
                new MalformedEventException("member 'outcome' must be one of allow, deny, error, success, failure"));

        AuditEvent.Builder builder = AuditEvent.builder(type, time)
                .id(id)
                .actor(actor(node))
                .action(requiredString(node, "action"))
                .resource(requiredString(node, "resource"))
                .outcome(outcome)
                .reason(nullableString(node, "reason"))
                .requestId(nullableString(node, "request_id"));

        JsonNode attributes = node.get("attributes");
        if (attributes == null || !attributes.isObject()) {
            throw new MalformedEventException("member 'attributes' must be an object (use {} when empty)");
        }
        for (Map.Entry<String, JsonNode> e : attributes.properties()) {
            String name = memberName(e.getKey(), "attributes");
            builder.attribute(name, toJava(e.getValue(), "attributes." + name));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!CONTRACT_MEMBERS.contains(e.getKey())) {
                String name = memberName(e.getKey(), null);
                builder.extension(name, toJava(e.getValue(), name));
            }
        }
        return builder.build();
    }

    /** Why {@code id} is not one of the contract's ids; a UUID is named by its version (a v4 is random, not sortable). */
    private static String idProblem(String id) {
        String rule = "member 'id' must be a ULID or a UUIDv7 (the contract's ids, sortable by time)";
        if (!ULID_OR_ANY_UUID.matcher(id).matches()) {
            return rule;
        }
        char version = id.charAt(14);
        return rule + (version == '7' ? ", not a UUID of another variant than RFC 9562's" : ", not a UUID of version " + version);
    }

    private Actor actor(ObjectNode node) {
        JsonNode actor = node.get("actor");
        if (actor == null || !actor.isObject()) {
            throw new MalformedEventException("member 'actor' must be an object");
        }
        String[] values = new String[ACTOR_MEMBERS.size()];
        for (int i = 0; i < values.length; i++) {
            String name = ACTOR_MEMBERS.get(i);
            if (!actor.has(name)) {
                throw new MalformedEventException("member 'actor." + name + "' is missing (use null when unknown)");
            }
            values[i] = optionalString((ObjectNode) actor, name, "actor." + name);
        }
        // Members the contract does not name are kept, as the event's own are ("unknown members are
        // kept as they are when importing"): refusing them refused events of a newer producer.
        Map<String, Object> extensions = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : actor.properties()) {
            if (!ACTOR_MEMBERS.contains(e.getKey())) {
                String name = memberName(e.getKey(), "actor");
                extensions.put(name, toJava(e.getValue(), "actor." + name));
            }
        }
        return new Actor(values[0], values[1], values[2], values[3], values[4], values[5], values[6], extensions);
    }

    private static String requiredString(ObjectNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new MalformedEventException("member '" + name + "' is missing");
        }
        if (!value.isString()) {
            throw new MalformedEventException("member '" + name + "' must be a string");
        }
        return text(value.stringValue(), name);
    }

    /**
     * A member that must be present and may be null. Absent is refused, not read as null: the
     * event would then be stored with {@code "reason":null} added, and hash differently than it
     * did where it came from.
     */
    private static String nullableString(ObjectNode node, String name) {
        if (!node.has(name)) {
            throw new MalformedEventException("member '" + name + "' is missing (use null when there is none)");
        }
        return optionalString(node, name, name);
    }

    private static String optionalString(ObjectNode node, String name, String path) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new MalformedEventException("member '" + path + "' must be a string or null");
        }
        return text(value.stringValue(), path);
    }

    /** A string value at {@code path}, which must be Unicode text (no lone surrogate). */
    private static String text(String value, String path) {
        if (hasLoneSurrogate(value)) {
            throw new MalformedEventException("member '" + path + "' holds a lone UTF-16 surrogate, which is not"
                    + " Unicode text and has no RFC 8785 canonical form");
        }
        return value;
    }

    /**
     * A member name inside {@code parent} (null: the event itself), which must be Unicode text;
     * not echoed when it is not. Jackson refuses some lone surrogates in names, not all of them.
     */
    private static String memberName(String name, String parent) {
        if (hasLoneSurrogate(name)) {
            throw new MalformedEventException("a member name " + (parent == null ? "of the event" : "in '" + parent + "'")
                    + " holds a lone UTF-16 surrogate, which is not Unicode text and has no RFC 8785 canonical form");
        }
        return name;
    }

    /** Whether {@code s} has a surrogate that is not half of a high-low pair. */
    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    private Object toJava(JsonNode node, String path) {
        if (node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return text(node.stringValue(), path);
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            BigInteger value = node.bigIntegerValue();
            if (!IJsonNumbers.isSafeInteger(value) && !refuseWhatWasOnceLogged) {
                return value;
            }
            if (!IJsonNumbers.isSafeInteger(value)) {
                throw new MalformedEventException("member '" + path + "' is an integer beyond ±(2^53−1): a double"
                        + " cannot hold it, so it would not hash as written; " + IJsonNumbers.RULE
                        + " (send it as a string)");
            }
            return value.longValue();
        }
        if (node.isNumber()) {
            BigDecimal value = node.decimalValue();
            double asDouble = value.doubleValue();
            if (!refuseWhatWasOnceLogged) {
                return value;
            }
            if (!Double.isFinite(asDouble)) {
                throw new MalformedEventException("member '" + path + "' is beyond the range of a double; "
                        + IJsonNumbers.RULE);
            }
            if (IJsonNumbers.canonicalizesToUnsafeInteger(asDouble)) {
                throw new MalformedEventException("member '" + path + "' is a whole number beyond ±(2^53−1) (its"
                        + " canonical form is an integer that a double cannot hold); " + IJsonNumbers.RULE);
            }
            return value;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node.values()) {
                list.add(toJava(element, path + "[" + list.size() + "]"));
            }
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = memberName(e.getKey(), path);
            map.put(name, toJava(e.getValue(), path + "." + name));
        }
        return map;
    }

    /** The event as one line of JSON, members in the contract's order. */
    public String toJson(AuditEvent event) {
        return MAPPER.writeValueAsString(toTree(event));
    }

    /**
     * The event's RFC 8785 canonical form, as UTF-8: the bytes its hash is taken over.
     * Numbers are canonicalized as IEEE 754 doubles, as RFC 8785 requires.
     *
     * @throws IllegalArgumentException if a string or member name of the event holds a lone UTF-16
     *     surrogate (it is not Unicode text), or a number is NaN, infinite or an integer beyond
     *     ±(2^53−1): none of these has a canonical form that reads back as it was
     */
    public byte[] canonicalBytes(AuditEvent event) {
        // The direct writer gives the same bytes without printing and re-parsing JSON text (a
        // differential test pins that); it declines the rare cases it cannot vouch for.
        byte[] direct = CanonicalWriter.canonical(event);
        if (direct != null) {
            return direct;
        }
        return referenceCanonicalBytes(event);
    }

    /** Receives an event's canonical form: the first {@code length} bytes of {@code bytes}. */
    @FunctionalInterface
    public interface CanonicalConsumer<T> {
        T accept(byte[] bytes, int length);
    }

    /**
     * Hands the event's RFC 8785 canonical form (the same bytes as {@link #canonicalBytes}) to
     * {@code consumer} in the writer's own buffer, which may be longer than the form, and returns
     * what the consumer returns. For log writers, which copy the bytes on once anyway: it saves
     * the exact-size copy per event. The consumer may keep the buffer, but MUST NOT change it.
     *
     * @throws IllegalArgumentException as {@link #canonicalBytes} does
     */
    public <T> T withCanonicalBytes(AuditEvent event, CanonicalConsumer<T> consumer) {
        CanonicalWriter direct = CanonicalWriter.write(event);
        if (direct != null) {
            return direct.handTo(consumer);
        }
        byte[] reference = referenceCanonicalBytes(event);
        return consumer.accept(reference, reference.length);
    }

    /** The canonical form through the reference implementation (JSON text, then {@code JsonCanonicalizer}). */
    byte[] referenceCanonicalBytes(AuditEvent event) {
        try {
            return new JsonCanonicalizer(toJson(event)).getEncodedUTF8();
        } catch (IOException e) {
            throw new MalformedEventException("event cannot be canonicalized: " + e.getMessage(), e);
        }
    }

    private static ObjectNode toTree(AuditEvent event) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode node = f.objectNode();
        node.put("id", event.id());
        node.put("time", formatTime(event.time()));
        node.put("type", event.type().wireName());
        ObjectNode actor = node.putObject("actor");
        Actor a = event.actor();
        actor.put("subject", a.subject());
        actor.put("client_id", a.clientId());
        actor.put("spiffe_id", a.spiffeId());
        actor.put("ip", a.ip());
        actor.put("user_agent", a.userAgent());
        actor.put("token_id", a.tokenId());
        actor.put("session_id", a.sessionId());
        a.extensions().forEach((name, value) -> actor.set(name, toNode(value)));
        node.put("action", event.action());
        node.put("resource", event.resource());
        node.put("outcome", event.outcome().wireName());
        node.put("reason", event.reason());
        node.put("request_id", event.requestId());
        node.set("attributes", toNode(event.attributes()));
        event.extensions().forEach((name, value) -> node.set(name, toNode(value)));
        return node;
    }

    private static JsonNode toNode(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (value) {
            case null -> f.nullNode();
            case String s -> f.stringNode(s);
            case Boolean b -> f.booleanNode(b);
            case Integer i -> f.numberNode(i);
            case Long l -> f.numberNode(l);
            case BigInteger b -> f.numberNode(b);
            case BigDecimal d -> f.numberNode(d);
            case Double d -> f.numberNode(d);
            case Float d -> f.numberNode(d);
            case Short s -> f.numberNode(s);
            case Byte b -> f.numberNode(b);
            case Map<?, ?> map -> {
                ObjectNode object = f.objectNode();
                map.forEach((k, v) -> object.set(String.valueOf(k), toNode(v)));
                yield object;
            }
            case Iterable<?> list -> {
                ArrayNode array = f.arrayNode();
                list.forEach(v -> array.add(toNode(v)));
                yield array;
            }
            case Enum<?> e -> f.stringNode(e.toString());
            default -> throw new MalformedEventException(
                    "attribute of type " + value.getClass().getName() + " is not a JSON value");
        };
    }
}
