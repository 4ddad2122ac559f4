package dev.portcullis.audit.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * What the strict parser rejects beyond the contract's shape: values that have no RFC 8785
 * canonical form, or another one than they were written with, so that an event would not hash as
 * it did where it came from.
 */
class AuditEventJsonTest {

    private final AuditEventJson json = new AuditEventJson();

    /** An event line of the contract with the given JSON text spliced in (escapes as written). */
    private static String event(String resource, String subject, String attributes, String extra) {
        return "{\"id\":\"01JD4V9Q6ZK8M2X3N4P5R6S7T8\",\"time\":\"2026-11-23T11:28:13.123Z\",\"type\":\"authz.decision\","
                + "\"actor\":{\"subject\":" + subject + ",\"client_id\":null,\"spiffe_id\":null,\"ip\":null,"
                + "\"user_agent\":null,\"token_id\":null,\"session_id\":null},\"action\":\"GET\",\"resource\":" + resource
                + ",\"outcome\":\"deny\",\"reason\":null,\"request_id\":null,\"attributes\":" + attributes + extra + "}";
    }

    private void assertRejectedOnBothPaths(String line, String message) {
        assertThatThrownBy(() -> json.parse(line)).as(line).isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> json.parse(line.getBytes(StandardCharsets.UTF_8))).as(line)
                .isInstanceOf(MalformedEventException.class).hasMessageContaining(message);
    }

    @Test
    void parseWhenAStringHoldsALoneSurrogateThenRejectedNamingTheMember() {
        String lone = "lone UTF-16 surrogate";
        assertRejectedOnBothPaths(event("\"/admin/\\ud800\"", "\"alice\"", "{}", ""), "member 'resource' holds a " + lone);
        assertRejectedOnBothPaths(event("\"/x\"", "\"\\udc00alice\"", "{}", ""), "member 'actor.subject' holds a " + lone);
        // A high surrogate followed by something other than a low one, and a pair in the wrong order.
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"a\":[1,\"\\ud83dx\"]}", ""),
                "member 'attributes.a[1]' holds a " + lone);
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"a\":{\"b\":\"\\ude00\\ud83d\"}}", ""),
                "member 'attributes.a.b' holds a " + lone);
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{}", ",\"x_vendor\":\"\\udfff\""),
                "member 'x_vendor' holds a " + lone);
        // In a member name (Jackson refuses some of these itself, with its own message).
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"\\udc00\":1}", ""), "surrogate");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"a\":{\"\\ud800\":1}}", ""), "surrogate");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{}", ",\"\\ud800\":1"), "surrogate");
        assertThatThrownBy(() -> json.parse(event("\"/x\"", "\"alice\"", "{}", ",\"a\uDC00\":1")))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("a member name of the event holds a " + lone);
        // Not escaped, in the text: the same as escaped.
        assertThatThrownBy(() -> json.parse(event("\"/x\uD800\"", "\"alice\"", "{}", "")))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("member 'resource' holds a " + lone);

        // A pair, escaped or not, is one character and fine.
        assertThat(json.parse(event("\"/\\ud83d\\ude00/\uD83D\uDE80\"", "\"alice\"", "{\"k\":[\"\\ud83d\\ude00\"]}", ""))
                .resource()).isEqualTo("/\uD83D\uDE00/\uD83D\uDE80");
        assertThat(json.parse(event("\"/x\"", "\"alice\"", "{\"k\":[\"\\ud83d\\ude00\"]}", "")).attributes())
                .isEqualTo(Map.of("k", java.util.List.of("\uD83D\uDE00")));
    }
}
