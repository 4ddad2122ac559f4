package dev.portcullis.audit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.github.f4b6a3.ulid.UlidCreator;

/**
 * One audit event, exactly as the audit event contract defines it ({@code shared/contracts}).
 *
 * <p>Immutable. {@code attributes} and {@code extensions} hold JSON values as plain Java objects
 * ({@code String}, {@code Number}, {@code Boolean}, {@code null}, {@code List}, {@code Map}; an
 * {@code Enum} is written as its name); {@link Builder#build} refuses any other value, and a
 * number that is NaN or infinite, naming the member.
 * {@code extensions} are the members of an imported event that the contract does not name: they
 * are kept as they are, so that the event's hash (over its RFC 8785 canonical form) is unchanged
 * by a round trip through Portcullis.
 *
 * <p>Events never carry credentials or protected values: a token is identified by a hash or its
 * {@code jti}, a decrypted field by its path and class.
 */
public final class AuditEvent {

    private final String id;
    private final Instant time;
    private final EventType type;
    private final Actor actor;
    private final String action;
    private final String resource;
    private final Outcome outcome;
    private final String reason;
    private final String requestId;
    private final Map<String, Object> attributes;
    private final Map<String, Object> extensions;

    /** The members the contract names; an extension may not take one of their names. */
    public static final java.util.Set<String> MEMBER_NAMES = java.util.Set.of("id", "time", "type", "actor", "action",
            "resource", "outcome", "reason", "request_id", "attributes");

    /** The first instant whose year RFC 3339 (four digits) can write: 0000-01-01T00:00:00Z. */
    public static final Instant EARLIEST_TIME = Instant.parse("0000-01-01T00:00:00Z");
    /** The last millisecond whose year RFC 3339 (four digits) can write: 9999-12-31T23:59:59.999Z. */
    public static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

    private AuditEvent(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type cannot be null");
        this.time = Objects.requireNonNull(b.time, "time cannot be null").truncatedTo(ChronoUnit.MILLIS);
        // Checked here, not when the event is written: the writer would print "+10000-..." and
        // every reader of the log reject it ever after (query, follow, export).
        if (time.isBefore(EARLIEST_TIME) || time.isAfter(LATEST_TIME)) {
            throw new IllegalArgumentException("time must be from " + EARLIEST_TIME + " to " + LATEST_TIME
                    + " (RFC 3339 writes four-digit years), was " + time);
        }
        // A given id is checked here, not when the event is read back: an id that is neither a ULID
        // nor a UUID was stored, and then the entry could never be read (query, export, follow).
        if (b.id != null && !EventIds.ULID_OR_ANY_UUID.matcher(b.id).matches()) {
            throw new IllegalArgumentException("id must be a ULID or a UUID (the contract's ids are ULIDs and UUIDv7s)");
        }
        this.id = b.id != null ? b.id : UlidCreator.getMonotonicUlid(time.toEpochMilli()).toString();
        this.actor = b.actor != null ? b.actor : Actor.UNKNOWN;
        this.action = Objects.requireNonNull(b.action, "action cannot be null");
        this.resource = Objects.requireNonNull(b.resource, "resource cannot be null");
        this.outcome = Objects.requireNonNull(b.outcome, "outcome cannot be null");
        this.reason = b.reason;
        this.requestId = b.requestId;
        // Checked here too, not when the event is written: a NaN was written as the string "NaN",
        // so the log held another event than the one appended, and any other type failed only in
        // the writer, without naming the member. And copied all the way down: a list or map the
        // caller kept could otherwise change the event after it was built (and hashed).
        this.attributes = frozenMembers(b.attributes, "attributes.");
        this.extensions = frozenMembers(b.extensions, "");
        actor.extensions().forEach((name, value) -> requireJsonValue(value, "actor." + name));
    }

    private static Map<String, Object> frozenMembers(Map<String, Object> members, String pathPrefix) {
        Map<String, Object> copy = new LinkedHashMap<>();
        members.forEach((name, value) -> copy.put(name, frozen(value, pathPrefix + name)));
        return Collections.unmodifiableMap(copy);
    }

    /** {@code value} checked ({@link #requireJsonValue}) and, when it holds lists or maps, copied into unmodifiable ones. */
    private static Object frozen(Object value, String path) {
        if (value instanceof Map<?, ?> map) {
            // Keys stay what they are: the writers spell a non-string key with String.valueOf.
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((name, member) -> copy.put(name, frozen(member, path + "." + name)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Iterable<?> list) {
            java.util.List<Object> copy = new java.util.ArrayList<>();
            int i = 0;
            for (Object element : list) {
                copy.add(frozen(element, path + "[" + i++ + "]"));
            }
            return Collections.unmodifiableList(copy);
        }
        requireJsonValue(value, path);
        return value;
    }

    /**
     * Refuses a value that is not a JSON value of the kinds the class comment lists, naming the
     * member at {@code path} (as the parser does: {@code attributes.a[1].b}). A {@code Double} or
     * {@code Float} that is NaN or infinite is refused: JSON has no such number (RFC 8259 §6) and
     * RFC 8785 no canonical form for it.
     *
     * @throws IllegalArgumentException naming the member, never its value (it may be personal
     *     data), but for which of NaN and the infinities it is
     */
    private static void requireJsonValue(Object value, String path) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((name, member) -> requireJsonValue(member, path + "." + name));
        } else if (value instanceof Iterable<?> list) {
            int i = 0;
            for (Object element : list) {
                requireJsonValue(element, path + "[" + i++ + "]");
            }
        } else if (value instanceof Double || value instanceof Float) {
            if (!Double.isFinite(((Number) value).doubleValue())) {
                throw new IllegalArgumentException("member '" + path + "' is " + value + ", which is not a JSON number"
                        + " (RFC 8259) and has no RFC 8785 canonical form; numbers must be finite");
            }
        } else if (!(value == null || value instanceof String || value instanceof Boolean || value instanceof Enum<?>
                || value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof BigDecimal)) {
            // The JSON writers know exactly these types; an AtomicLong or an Instant, say, they do not.
            throw new IllegalArgumentException("member '" + path + "' is a " + value.getClass().getName()
                    + ", which is not a JSON value (use a String, Boolean, Integer, Long, Double, BigInteger,"
                    + " BigDecimal, List, Map or null)");
        }
    }

    /**
     * A builder for an event of {@code type} that happened at {@code time} (taken from the
     * caller's {@link java.time.Clock}; truncated to milliseconds; from {@link #EARLIEST_TIME} to
     * {@link #LATEST_TIME}, else {@link Builder#build} throws {@link IllegalArgumentException}).
     * Without an explicit {@link Builder#id}, the event gets a new monotonic ULID for that time.
     */
    public static Builder builder(EventType type, Instant time) {
        return new Builder(type, time);
    }

    /** A builder holding all of this event's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(type, time).id(id).actor(actor).action(action).resource(resource)
                .outcome(outcome).reason(reason).requestId(requestId);
        b.attributes.putAll(attributes);
        b.extensions.putAll(extensions);
        return b;
    }

    public String id() {
        return id;
    }

    public Instant time() {
        return time;
    }

    public EventType type() {
        return type;
    }

    public Actor actor() {
        return actor;
    }

    public String action() {
        return action;
    }

    public String resource() {
        return resource;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Why, in a short machine-friendly form (e.g. {@code role:order-reader}); may be null. */
    public String reason() {
        return reason;
    }

    /** The id that ties this event to a request's logs, response and traces; may be null. */
    public String requestId() {
        return requestId;
    }

    public Map<String, Object> attributes() {
        return attributes;
    }

    /** Members the contract does not name, kept from an imported event. */
    public Map<String, Object> extensions() {
        return extensions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditEvent e && id.equals(e.id) && time.equals(e.time) && type == e.type
                && actor.equals(e.actor) && action.equals(e.action) && resource.equals(e.resource)
                && outcome == e.outcome && Objects.equals(reason, e.reason)
                && Objects.equals(requestId, e.requestId) && attributes.equals(e.attributes)
                && extensions.equals(e.extensions);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** Identifies the event without its values (which may be personal data). */
    @Override
    public String toString() {
        return "AuditEvent[" + id + " " + type.wireName() + " " + outcome.wireName() + "]";
    }

    /** Builds an {@link AuditEvent}; {@code action}, {@code resource} and {@code outcome} are required. */
    public static final class Builder {
        private final EventType type;
        private final Instant time;
        private String id;
        private Actor actor;
        private String action;
        private String resource;
        private Outcome outcome;
        private String reason;
        private String requestId;
        private final Map<String, Object> attributes = new LinkedHashMap<>();
        private final Map<String, Object> extensions = new LinkedHashMap<>();

        private Builder(EventType type, Instant time) {
            this.type = type;
            this.time = time;
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder actor(Actor actor) {
            this.actor = actor;
            return this;
        }

        public Builder action(String action) {
            this.action = action;
            return this;
        }

        public Builder resource(String resource) {
            this.resource = resource;
            return this;
        }

        public Builder outcome(Outcome outcome) {
            this.outcome = outcome;
            return this;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        /** Adds a type-specific extra; the value must be a JSON value (see the class comment). */
        public Builder attribute(String name, Object value) {
            attributes.put(Objects.requireNonNull(name, "attribute name cannot be null"), value);
            return this;
        }

        public Builder attributes(Map<String, ?> values) {
            values.forEach(this::attribute);
            return this;
        }

        /**
         * Keeps a member that the contract does not name (import only).
         *
         * @throws IllegalArgumentException for a contract member's name: the extension would
         *     silently take that member's place in the written event
         */
        public Builder extension(String name, Object value) {
            Objects.requireNonNull(name, "extension name cannot be null");
            if (MEMBER_NAMES.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' is a member of the contract, not an extension");
            }
            extensions.put(name, value);
            return this;
        }

        /**
         * The event.
         *
         * @throws IllegalArgumentException if its time is outside four-digit years, or a value of
         *     its attributes or extensions (or its actor's) is not a JSON value or is a NaN or infinite number
         *     (naming the member)
         * @throws NullPointerException if {@code action}, {@code resource} or {@code outcome} is missing
         */
        public AuditEvent build() {
            return new AuditEvent(this);
        }
    }
}
