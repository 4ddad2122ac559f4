package dev.portcullis.audit.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditEvent;

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

    @Test
    void parseWhenANumberIsAnIntegerBeyondTwoToThe53OrNoFiniteDoubleThenRejectedNamingTheMember() {
        String rule = "integers within ±(2^53−1) (RFC 8785, I-JSON)";
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"n\":9007199254740993}", ""),
                "member 'attributes.n' is an integer beyond ±(2^53−1)");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"n\":[-9007199254740992]}", ""),
                "member 'attributes.n[0]' is an integer beyond ±(2^53−1)");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{}", ",\"trace\":12345678901234567890123"),
                "member 'trace' is an integer beyond ±(2^53−1)");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"a\":{\"b\":1e400}}", ""),
                "member 'attributes.a.b' is beyond the range of a double");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"n\":-1E400}", ""), rule);
        // Written as decimals, but canonically integers a double cannot hold (and could not be read back).
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"n\":1e20}", ""),
                "member 'attributes.n' is a whole number beyond ±(2^53−1)");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\"", "{\"n\":9007199254740993.5}", ""), rule);

        // The largest safe integers, small and exponent numbers are fine, and hash as written.
        String fine = event("\"/x\"", "\"alice\"", "{\"n\":[9007199254740991,-9007199254740991,1e+30,1.5,5e-324]}", "");
        assertThat(new String(json.canonicalBytes(json.parse(fine)), StandardCharsets.UTF_8))
                .contains("\"n\":[9007199254740991,-9007199254740991,1e+30,1.5,5e-324]");
    }

    @Test
    void parseWhenReasonOrRequestIdIsMissingThenRejectedRatherThanReadAsNull() {
        String complete = event("\"/x\"", "\"alice\"", "{}", "");
        assertRejectedOnBothPaths(complete.replace(",\"reason\":null", ""),
                "member 'reason' is missing (use null when there is none)");
        assertRejectedOnBothPaths(complete.replace(",\"request_id\":null", ""),
                "member 'request_id' is missing (use null when there is none)");
        // Present as null, they are null, and written back as they came.
        assertThat(new String(json.canonicalBytes(json.parse(complete)), StandardCharsets.UTF_8))
                .contains("\"reason\":null,\"request_id\":null");
    }

    @Test
    void parseWhenTheIdIsAUuidOfAnotherVersionThan7ThenRejectedNamingTheVersion() {
        String ulid = "01JD4V9Q6ZK8M2X3N4P5R6S7T8";
        String line = event("\"/x\"", "\"alice\"", "{}", "");
        String rule = "member 'id' must be a ULID or a UUIDv7 (the contract's ids, sortable by time)";
        assertRejectedOnBothPaths(line.replace(ulid, "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"), rule + ", not a UUID of version 4");
        assertRejectedOnBothPaths(line.replace(ulid, "9f1c2d3e-4b5a-1c6d-8e7f-0a1b2c3d4e5f"), rule + ", not a UUID of version 1");
        assertRejectedOnBothPaths(line.replace(ulid, "0190b6b2-4c1e-7c3a-cd2e-1f2a3b4c5d6e"), rule + ", not a UUID of another variant");
        assertRejectedOnBothPaths(line.replace(ulid, "order-42"), rule);

        // ULIDs and UUIDv7s, in either case, are ids.
        for (String id : new String[] {ulid, "0190b6b2-4c1e-7c3a-9d2e-1f2a3b4c5d6e", "0190B6B2-4C1E-7C3A-BD2E-1F2A3B4C5D6E"}) {
            assertThat(json.parse(line.replace(ulid, id)).id()).isEqualTo(id);
        }
        // An entry logged before this rule still reads back as it is stored.
        String v4 = line.replace(ulid, "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
        assertThat(AuditEventJson.forLoggedEntries().parse(v4.getBytes(StandardCharsets.UTF_8)).id())
                .isEqualTo("9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
    }

    @Test
    void parseKeepsActorMembersTheContractDoesNotNameSoTheHashIsOverTheEventAsGiven() throws Exception {
        String line = event("\"/x\"", "\"alice\",\"tenant\":\"acme\",\"x_device\":{\"b\":[1.5,true],\"a\":null}", "{}", "");

        AuditEvent event = json.parse(line);

        assertThat(event.actor().subject()).isEqualTo("alice");
        assertThat(event.actor().extensions()).containsOnlyKeys("tenant", "x_device").containsEntry("tenant", "acme");
        // The stored bytes are the RFC 8785 form of the line as it was given.
        assertThat(json.canonicalBytes(event)).isEqualTo(new JsonCanonicalizer(line).getEncodedUTF8());
        assertThat(json.parse(json.toJson(event))).isEqualTo(event);
        // Their values follow the rules of every other value, named by their path.
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\",\"n\":[9007199254740993]", "{}", ""),
                "member 'actor.n[0]' is an integer beyond ±(2^53−1)");
        assertRejectedOnBothPaths(event("\"/x\"", "\"alice\",\"t\":\"\\udc00\"", "{}", ""),
                "member 'actor.t' holds a lone UTF-16 surrogate");
    }
}
