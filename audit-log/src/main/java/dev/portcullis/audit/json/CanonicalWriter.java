package dev.portcullis.audit.json;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.erdtman.jcs.NumberToJSON;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * Writes an event's RFC 8785 canonical form directly from the event model, without printing JSON
 * text and parsing it back (<a href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785</a>):
 * members sorted by their UTF-16 code units (§3.2.3), strings escaped as ECMAScript's
 * {@code JSON.stringify} does (§3.2.2.2), numbers as the IEEE 754 double they denote, printed by
 * ECMAScript's rules (§3.2.2.3) through the same {@code NumberToJSON} the reference Java
 * implementation uses.
 *
 * <p>It must produce exactly the bytes of the reference implementation
 * ({@code org.erdtman.jcs.JsonCanonicalizer} over the event's JSON), since those bytes are what is
 * hashed into the log; a differential test checks that over many random events. A number that is
 * NaN or infinite is refused ({@link IllegalArgumentException}): it has no canonical form, and the
 * reference path, through JSON text, would write it as the string {@code "NaN"}, another event
 * ({@code AuditEvent} refuses such numbers when it is built; this catches one put into a list or map
 * of the event afterwards). A string with a lone UTF-16 surrogate is refused
 * ({@link IllegalArgumentException}): it is not Unicode text and has no canonical form, and the
 * reference implementation, which turns it into {@code ?}, would give two different events the
 * same bytes and the stored event would not be the appended one. So is a number that is, or is
 * written as, an integer beyond ±(2^53−1) ({@link IJsonNumbers}): it would be stored rounded, or
 * in a form the parser refuses to read back.
 */
final class CanonicalWriter {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** 9999-12-31T23:59:59.999Z: the last instant whose year the contract's format prints in four digits. */
    private static final long LAST_FOUR_DIGIT_YEAR_MILLIS = 253_402_300_799_999L;
    /** Integers up to 2^53 are exact doubles, and ECMAScript prints them as plain digits. */
    private static final long EXACT_INTEGER = 1L << 53;

    // The contract's member names and the punctuation around them, as they are written in
    // canonical order by contractEvent: copied as bytes, not converted from strings each time.
    private static final byte[] ACTION = constant("{\"action\":");
    private static final byte[] ACTOR_CLIENT_ID = constant(",\"actor\":{\"client_id\":");
    private static final byte[] IP = constant(",\"ip\":");
    private static final byte[] SESSION_ID = constant(",\"session_id\":");
    private static final byte[] SPIFFE_ID = constant(",\"spiffe_id\":");
    private static final byte[] SUBJECT = constant(",\"subject\":");
    private static final byte[] TOKEN_ID = constant(",\"token_id\":");
    private static final byte[] USER_AGENT = constant(",\"user_agent\":");
    private static final byte[] ATTRIBUTES = constant("},\"attributes\":");
    private static final byte[] ID = constant(",\"id\":");
    private static final byte[] OUTCOME = constant(",\"outcome\":");
    private static final byte[] REASON = constant(",\"reason\":");
    private static final byte[] REQUEST_ID = constant(",\"request_id\":");
    private static final byte[] RESOURCE = constant(",\"resource\":");
    private static final byte[] TIME = constant(",\"time\":");
    private static final byte[] TYPE = constant(",\"type\":");
    private static final byte[] NULL = constant("null");
    private static final byte[] TRUE = constant("true");
    private static final byte[] FALSE = constant("false");
    /** Each event type's and outcome's wire name as a JSON string, written once with {@link #string}. */
    private static final byte[][] TYPE_STRINGS = quoted(EventType.values(), EventType::wireName);
    private static final byte[][] OUTCOME_STRINGS = quoted(Outcome.values(), Outcome::wireName);

    /** The bytes of a contract event that do not depend on its values: names, punctuation, the time. */
    private static final int CONTRACT_FIXED_BYTES = ACTION.length + ACTOR_CLIENT_ID.length + IP.length
            + SESSION_ID.length + SPIFFE_ID.length + SUBJECT.length + TOKEN_ID.length + USER_AGENT.length
            + ATTRIBUTES.length + ID.length + OUTCOME.length + REASON.length + REQUEST_ID.length + RESOURCE.length
            + TIME.length + "\"2026-11-23T11:28:13.123Z\"".length() + TYPE.length + 1;
    /** A guess per attribute (name, value, punctuation), plus slack: too little only costs a copy. */
    private static final int ATTRIBUTE_GUESS = 32;
    private static final int SLACK = 64;

    /** The UTF-8 output, written directly (no String in between). */
    private byte[] out;
    private int length;

    private CanonicalWriter(int capacity) {
        this.out = new byte[capacity];
    }

    /**
     * The canonical UTF-8 bytes of {@code event}, or null when the reference implementation must decide.
     *
     * @throws IllegalArgumentException if a string of the event holds a lone UTF-16 surrogate, or
     *     a number is NaN, infinite or an integer beyond ±(2^53−1)
     */
    static byte[] canonical(AuditEvent event) {
        CanonicalWriter writer = write(event);
        return writer == null ? null : Arrays.copyOf(writer.out, writer.length);
    }

    /**
     * A writer holding the canonical form of {@code event} (its first {@code length} bytes), or
     * null when the reference implementation must decide.
     *
     * @throws IllegalArgumentException if a string of the event holds a lone UTF-16 surrogate, or
     *     a number is NaN, infinite or an integer beyond ±(2^53−1)
     */
    static CanonicalWriter write(AuditEvent event) {
        boolean contractOnly = event.extensions().isEmpty() && event.actor().extensions().isEmpty();
        CanonicalWriter writer = new CanonicalWriter(contractOnly ? sizeOfContractEvent(event) : 768);
        try {
            if (contractOnly) {
                writer.contractEvent(event);
            } else {
                writer.value(members(event));
            }
        } catch (Decline e) {
            return null;
        } catch (NoCanonicalForm e) {
            // Names the event, never the value (it may be personal data).
            throw new IllegalArgumentException("event " + event.id() + " has " + e.getMessage());
        }
        return writer;
    }

    /** Passes the output buffer as it is (no exact-size copy); the consumer MUST NOT change it. */
    <T> T handTo(AuditEventJson.CanonicalConsumer<T> consumer) {
        return consumer.accept(out, length);
    }

    /**
     * An event with only the contract's members, which are known in advance: written in their
     * canonical order without building and sorting a map of them.
     */
    private void contractEvent(AuditEvent event) {
        // Members sorted by UTF-16 code units (RFC 8785 §3.2.3), the actor's too.
        bytes(ACTION);
        string(event.action());
        Actor a = event.actor();
        bytes(ACTOR_CLIENT_ID);
        nullableString(a.clientId());
        bytes(IP);
        nullableString(a.ip());
        bytes(SESSION_ID);
        nullableString(a.sessionId());
        bytes(SPIFFE_ID);
        nullableString(a.spiffeId());
        bytes(SUBJECT);
        nullableString(a.subject());
        bytes(TOKEN_ID);
        nullableString(a.tokenId());
        bytes(USER_AGENT);
        nullableString(a.userAgent());
        bytes(ATTRIBUTES);
        object(event.attributes());
        bytes(ID);
        string(event.id());
        bytes(OUTCOME);
        bytes(OUTCOME_STRINGS[event.outcome().ordinal()]);
        bytes(REASON);
        nullableString(event.reason());
        bytes(REQUEST_ID);
        nullableString(event.requestId());
        bytes(RESOURCE);
        string(event.resource());
        bytes(TIME);
        time(event.time());
        bytes(TYPE);
        bytes(TYPE_STRINGS[event.type().ordinal()]);
        put('}');
    }

    private void nullableString(String s) {
        if (s == null) {
            bytes(NULL);
        } else {
            string(s);
        }
    }

    /**
     * About the canonical size of a contract event (exact for ASCII values without escapes and no
     * attributes), read from its strings' lengths before anything is written. Reading every
     * string's length first also loads the strings from memory together, so that their cache
     * misses overlap, rather than one after the other as each string is written in turn (the events
     * of a busy log are seldom in the CPU caches when they are appended).
     */
    private static int sizeOfContractEvent(AuditEvent event) {
        Actor a = event.actor();
        return CONTRACT_FIXED_BYTES + SLACK + event.action().length() + 2 + sizeOf(a.clientId()) + sizeOf(a.ip())
                + sizeOf(a.sessionId()) + sizeOf(a.spiffeId()) + sizeOf(a.subject()) + sizeOf(a.tokenId())
                + sizeOf(a.userAgent()) + 2 + ATTRIBUTE_GUESS * event.attributes().size() + event.id().length() + 2
                + OUTCOME_STRINGS[event.outcome().ordinal()].length + sizeOf(event.reason()) + sizeOf(event.requestId())
                + event.resource().length() + 2 + TYPE_STRINGS[event.type().ordinal()].length;
    }

    private static int sizeOf(String nullable) {
        return nullable == null ? 4 : nullable.length() + 2;
    }

    /** The event's members, as {@link AuditEventJson#toJson} writes them (extensions last, overriding). */
    private static Map<String, Object> members(AuditEvent event) {
        Map<String, Object> members = new TreeMap<>();
        members.put("id", event.id());
        members.put("time", AuditEventJson.formatTime(event.time()));
        members.put("type", event.type().wireName());
        Actor a = event.actor();
        Map<String, Object> actor = new TreeMap<>();
        actor.put("subject", a.subject());
        actor.put("client_id", a.clientId());
        actor.put("spiffe_id", a.spiffeId());
        actor.put("ip", a.ip());
        actor.put("user_agent", a.userAgent());
        actor.put("token_id", a.tokenId());
        actor.put("session_id", a.sessionId());
        actor.putAll(a.extensions());
        members.put("actor", actor);
        members.put("action", event.action());
        members.put("resource", event.resource());
        members.put("outcome", event.outcome().wireName());
        members.put("reason", event.reason());
        members.put("request_id", event.requestId());
        members.put("attributes", event.attributes());
        members.putAll(event.extensions());
        return members;
    }

    private void value(Object value) {
        switch (value) {
            case null -> bytes(NULL);
            case String s -> string(s);
            case Boolean b -> bytes(b ? TRUE : FALSE);
            case Integer i -> integer(i);
            case Long l -> {
                if (!IJsonNumbers.isSafeInteger(l)) {
                    throw NoCanonicalForm.UNSAFE_INTEGER;
                }
                integer(l);
            }
            case Short s -> integer(s);
            case Byte b -> integer(b);
            // As the JSON text would carry them: the decimal digits Java prints, read back as a double.
            case Float f -> number(Double.parseDouble(Float.toString(f)));
            case Double d -> number(d);
            case BigInteger b -> {
                if (!IJsonNumbers.isSafeInteger(b)) {
                    throw NoCanonicalForm.UNSAFE_INTEGER;
                }
                integer(b.longValue());
            }
            case BigDecimal d -> number(Double.parseDouble(d.toString()));
            case Map<?, ?> map -> object(map);
            case Iterable<?> list -> array(list);
            case Enum<?> e -> string(e.toString());
            default -> throw new Decline();
        }
    }

    private void object(Map<?, ?> map) {
        if (map.isEmpty()) {
            put('{');
            put('}');
            return;
        }
        if (map.size() == 1) {
            // One member needs no sorting (the common case for attributes): no entry array.
            Map.Entry<?, ?> only = map.entrySet().iterator().next();
            put('{');
            string(String.valueOf(only.getKey()));
            put(':');
            value(only.getValue());
            put('}');
            return;
        }
        Map.Entry<?, ?>[] entries = map.entrySet().toArray(new Map.Entry<?, ?>[0]);
        for (Map.Entry<?, ?> e : entries) {
            if (!(e.getKey() instanceof String)) {
                // Keys that only become names through String.valueOf may collide: let a map merge them.
                TreeMap<String, Object> sorted = new TreeMap<>();
                map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
                entries = sorted.entrySet().toArray(new Map.Entry<?, ?>[0]);
                break;
            }
        }
        // String.compareTo orders by UTF-16 code units, as RFC 8785 §3.2.3 requires.
        Arrays.sort(entries, (x, y) -> ((String) x.getKey()).compareTo((String) y.getKey()));
        put('{');
        for (int i = 0; i < entries.length; i++) {
            if (i > 0) {
                put(',');
            }
            string((String) entries[i].getKey());
            put(':');
            value(entries[i].getValue());
        }
        put('}');
    }

    private void array(Iterable<?> list) {
        put('[');
        boolean first = true;
        for (Object element : list) {
            if (!first) {
                put(',');
            }
            first = false;
            value(element);
        }
        put(']');
    }

    /** An integer of magnitude below 2^63 as decimal digits, as {@code Long.toString} prints it, without the string. */
    private void integer(long exact) {
        ensure(20);
        if (exact < 0) {
            out[length++] = '-';
            exact = -exact;
        }
        int digits = 1;
        for (long rest = exact / 10; rest != 0; rest /= 10) {
            digits++;
        }
        for (int i = length + digits - 1; i >= length; i--) {
            out[i] = (byte) ('0' + exact % 10);
            exact /= 10;
        }
        length += digits;
    }

    private void number(double d) {
        if (!Double.isFinite(d)) {
            throw NoCanonicalForm.NOT_FINITE;
        }
        if (IJsonNumbers.canonicalizesToUnsafeInteger(d)) {
            throw NoCanonicalForm.UNSAFE_INTEGER;
        }
        if (shortDecimal(d)) {
            return;
        }
        try {
            ascii(NumberToJSON.serializeNumber(d));
        } catch (IOException e) {
            throw new Decline();
        }
    }

    /**
     * Writes the numbers events mostly carry (whole numbers, and values such as {@code 1.25} ms)
     * the way ECMAScript prints them (RFC 8785 §3.2.2.3), without {@code NumberToJSON}'s general
     * algorithm and its garbage, and returns false, having written nothing, for any other double.
     *
     * <p>Why this is ECMAScript's output: a whole double below 2^53 is an exact integer, which
     * ECMAScript prints as its digits ({@code -0} as {@code 0}). For a double d that is not whole,
     * with |d| < 2^40, the decimals that round to d lie within half an ulp (at most 2^-13) of it, so
     * none is an integer and at most one has k ≤ 3 decimal places; when it exists, it is the nearest
     * integer to d·10^k over 10^k, which {@code Math.round(d * 10^k)} finds (the product's rounding
     * error, at most 2^-3, and the distance, at most 0.122, stay below 1/2), and dividing it back
     * tells whether it rounds to d (one correctly rounded division of exact values). Trying k = 1, 2,
     * 3 in turn finds the decimal with the fewest digits, which is ECMAScript's choice; it has no
     * trailing zero (else a smaller k would have matched), and ECMAScript writes such a value, of
     * magnitude 10^-6 or more and below 10^21, in plain decimal notation.
     */
    private boolean shortDecimal(double d) {
        double magnitude = Math.abs(d);
        if (d == Math.rint(d) && magnitude < EXACT_INTEGER) {
            integer((long) d); // (long) -0.0 is 0
            return true;
        }
        if (magnitude >= 0x1p40 || magnitude < 1e-3) {
            return false;
        }
        long scale = 1;
        for (int places = 1; places <= 3; places++) {
            scale *= 10;
            long scaled = Math.round(d * scale);
            if ((double) scaled / scale == d) {
                long abs = Math.abs(scaled);
                if (scaled < 0) {
                    put('-');
                }
                integer(abs / scale);
                put('.');
                digits((int) (abs % scale), places);
                return true;
            }
        }
        return false;
    }

    /** The contract's time format, {@code uuuu-MM-dd'T'HH:mm:ss.SSS'Z'}, without a formatter for the common years. */
    private void time(Instant time) {
        long millis = time.toEpochMilli();
        if (millis < 0 || millis > LAST_FOUR_DIGIT_YEAR_MILLIS) {
            string(AuditEventJson.formatTime(time));
            return;
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), 0, ZoneOffset.UTC);
        put('"');
        digits(t.getYear(), 4);
        put('-');
        digits(t.getMonthValue(), 2);
        put('-');
        digits(t.getDayOfMonth(), 2);
        put('T');
        digits(t.getHour(), 2);
        put(':');
        digits(t.getMinute(), 2);
        put(':');
        digits(t.getSecond(), 2);
        put('.');
        digits((int) Math.floorMod(millis, 1000), 3);
        put('Z');
        put('"');
    }

    private void digits(int value, int width) {
        ensure(width);
        for (int i = width - 1; i >= 0; i--) {
            out[length + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += width;
    }

    private void string(String s) {
        int chars = s.length();
        // Room for printable ASCII, one byte per unit, and the quotes: what nearly every string
        // needs, so that the buffer can be sized close to the output. The first unit that needs
        // more makes room for the worst case of the rest: at most 3 bytes of UTF-8 per UTF-16 unit
        // (a pair takes 4 for 2 units), 6 for an escape.
        ensure(chars + 2);
        byte[] b = out;
        int n = length;
        boolean roomForAnything = false;
        b[n++] = '"';
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                b[n++] = (byte) c;
                continue;
            }
            if (!roomForAnything) {
                length = n;
                ensure((chars - i) * 6 + 1);
                b = out;
                roomForAnything = true;
            }
            if (c < 0x80) {
                switch (c) {
                    case '"' -> { b[n++] = '\\'; b[n++] = '"'; }
                    case '\\' -> { b[n++] = '\\'; b[n++] = '\\'; }
                    case '\b' -> { b[n++] = '\\'; b[n++] = 'b'; }
                    case '\f' -> { b[n++] = '\\'; b[n++] = 'f'; }
                    case '\n' -> { b[n++] = '\\'; b[n++] = 'n'; }
                    case '\r' -> { b[n++] = '\\'; b[n++] = 'r'; }
                    case '\t' -> { b[n++] = '\\'; b[n++] = 't'; }
                    default -> {
                        if (c < 0x20) {
                            b[n++] = '\\';
                            b[n++] = 'u';
                            b[n++] = '0';
                            b[n++] = '0';
                            b[n++] = HEX[c >> 4];
                            b[n++] = HEX[c & 0xF];
                        } else {
                            b[n++] = (byte) c;
                        }
                    }
                }
            } else if (c < 0x800) {
                b[n++] = (byte) (0xC0 | (c >> 6));
                b[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    throw NoCanonicalForm.LONE_SURROGATE;
                }
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[n++] = (byte) (0xF0 | (cp >> 18));
                b[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                b[n++] = (byte) (0xE0 | (c >> 12));
                b[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        b[n++] = '"';
        length = n;
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, out, length, b.length);
        length += b.length;
    }

    private static byte[] constant(String constant) {
        return constant.getBytes(StandardCharsets.US_ASCII);
    }

    private static <E> byte[][] quoted(E[] values, java.util.function.Function<E, String> wireName) {
        byte[][] quoted = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            CanonicalWriter writer = new CanonicalWriter(64);
            writer.string(wireName.apply(values[i]));
            quoted[i] = Arrays.copyOf(writer.out, writer.length);
        }
        return quoted;
    }

    /** Appends ASCII text (numbers) byte for byte. */
    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            out[length++] = (byte) s.charAt(i);
        }
    }

    private void put(char c) {
        ensure(1);
        out[length++] = (byte) c;
    }

    private void ensure(int more) {
        if (out.length - length < more) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, length + more));
        }
    }

    /** The event has no canonical form that reads back as it is; the message says why (no values). */
    private static final class NoCanonicalForm extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final NoCanonicalForm LONE_SURROGATE = new NoCanonicalForm(
                "a string with a lone UTF-16 surrogate, which is not Unicode text and has no RFC 8785 canonical form");
        static final NoCanonicalForm NOT_FINITE = new NoCanonicalForm(
                "a number that is NaN or infinite, which is not a JSON number and has no RFC 8785 canonical form");
        static final NoCanonicalForm UNSAFE_INTEGER = new NoCanonicalForm(
                "a number that is, or is written as, an integer beyond ±(2^53−1); " + IJsonNumbers.RULE);

        private NoCanonicalForm(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The fast path cannot vouch for this event: use the reference implementation. */
    private static final class Decline extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Decline() {
            super(null, null, false, false);
        }
    }
}
