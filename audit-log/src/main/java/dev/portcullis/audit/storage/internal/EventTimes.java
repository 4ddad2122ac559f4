package dev.portcullis.audit.storage.internal;

import java.time.Instant;

import dev.portcullis.audit.json.AuditEventJson;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/** Reads the top-level {@code time} of an event's JSON without building the event (for rebuilding the time index). */
public final class EventTimes {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private EventTimes() {
    }

    /** The event time in epoch milliseconds, or {@code Long.MIN_VALUE} when it cannot be read. */
    public static long millis(byte[] json) {
        try (JsonParser parser = MAPPER.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Long.MIN_VALUE;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("time".equals(name) && value == JsonToken.VALUE_STRING) {
                    return Instant.parse(parser.getString()).toEpochMilli();
                }
                parser.skipChildren();
            }
            return Long.MIN_VALUE;
        } catch (RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    static String format(long millis) {
        return AuditEventJson.formatTime(Instant.ofEpochMilli(millis));
    }
}
