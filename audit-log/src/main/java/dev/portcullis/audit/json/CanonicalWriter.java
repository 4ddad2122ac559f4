package dev.portcullis.audit.json;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.erdtman.jcs.NumberToJSON;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;

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
 * hashed into the log; a differential test checks that over many random events. Where the two could
 * differ (a lone UTF-16 surrogate, a number that is not a finite double) it declines and the caller
 * uses the reference implementation.
 */
final class CanonicalWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(512);

    private CanonicalWriter() {
    }

    /** The canonical UTF-8 bytes of {@code event}, or null when the reference implementation must decide. */
    static byte[] canonical(AuditEvent event) {
        CanonicalWriter writer = new CanonicalWriter();
        try {
            writer.value(members(event));
        } catch (Decline e) {
            return null;
        }
        return writer.out.toString().getBytes(StandardCharsets.UTF_8);
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
            case null -> out.append("null");
            case String s -> string(s);
            case Boolean b -> out.append(b ? "true" : "false");
            case Integer i -> number(i.doubleValue());
            case Long l -> number((double) l);
            case Short s -> number(s.doubleValue());
            case Byte b -> number(b.doubleValue());
            // As the JSON text would carry them: the decimal digits Java prints, read back as a double.
            case Float f -> number(Double.parseDouble(Float.toString(f)));
            case Double d -> number(d);
            case BigInteger b -> number(Double.parseDouble(b.toString()));
            case BigDecimal d -> number(Double.parseDouble(d.toString()));
            case Map<?, ?> map -> object(map);
            case Iterable<?> list -> array(list);
            case Enum<?> e -> string(e.toString());
            default -> throw new Decline();
        }
    }

    private void object(Map<?, ?> map) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : sorted.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(e.getKey());
            out.append(':');
            value(e.getValue());
        }
        out.append('}');
    }

    private void array(Iterable<?> list) {
        List<Object> values = new ArrayList<>();
        list.forEach(values::add);
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            value(values.get(i));
        }
        out.append(']');
    }

    private void number(double d) {
        if (!Double.isFinite(d)) {
            throw new Decline();
        }
        try {
            out.append(NumberToJSON.serializeNumber(d));
        } catch (IOException e) {
            throw new Decline();
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    throw new Decline();
                }
                out.append(c).append(s.charAt(++i));
                continue;
            }
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The fast path cannot vouch for this event: use the reference implementation. */
    private static final class Decline extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Decline() {
            super(null, null, false, false);
        }
    }
}
