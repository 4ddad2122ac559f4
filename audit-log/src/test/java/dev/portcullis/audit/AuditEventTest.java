package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.json.AuditEventJson;

class AuditEventTest {

    private static AuditEvent at(Instant time) {
        return AuditEvent.builder(EventType.AUTHZ_DECISION, time).id("01JD4V9Q6ZK8M2X3N4P5R6S7T8")
                .action("GET").resource("/x").outcome(Outcome.DENY).build();
    }

    @Test
    void buildWhenTheTimeIsOutsideFourDigitYearsThenRejectedNamingTheRange() {
        for (String time : new String[] {"+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59.999Z", "+1000000000-01-01T00:00:00Z"}) {
            assertThatThrownBy(() -> at(Instant.parse(time))).as(time).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("time must be from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (RFC 3339 writes"
                            + " four-digit years), was " + Instant.parse(time));
        }

        // The edges are events, and what is written of them reads back.
        AuditEventJson json = new AuditEventJson();
        for (String time : new String[] {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"}) {
            AuditEvent event = at(Instant.parse(time));
            assertThat(json.parse(json.canonicalBytes(event))).as(time).isEqualTo(event);
        }
    }

    private static AuditEvent.Builder valid() {
        return AuditEvent.builder(EventType.ADMIN_ACTION, Instant.parse("2026-11-23T11:28:13.123Z"))
                .id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").action("rotate").resource("orders-key").outcome(Outcome.SUCCESS);
    }

    @Test
    void buildWhenANumberIsNaNOrInfiniteThenRefusedNamingTheMember() {
        String rule = ", which is not a JSON number (RFC 8259) and has no RFC 8785 canonical form; numbers must be finite";
        assertThatThrownBy(() -> valid().attribute("ratio", Double.NaN).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("member 'attributes.ratio' is NaN" + rule);
        assertThatThrownBy(() -> valid().attribute("scores", List.of(0.5, Double.POSITIVE_INFINITY)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("member 'attributes.scores[1]' is Infinity" + rule);
        assertThatThrownBy(() -> valid().extension("x_vendor", Map.of("a", List.of(Map.of("b", Float.NEGATIVE_INFINITY))))
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("member 'x_vendor.a[0].b' is -Infinity" + rule);

        // Finite doubles and floats, the largest included, are events, and read back as written.
        AuditEventJson json = new AuditEventJson();
        AuditEvent finite = valid().attribute("n", List.of(Double.MAX_VALUE, -0.0, 1.5f, Double.MIN_VALUE)).build();
        assertThat(json.parse(json.canonicalBytes(finite)).attributes().get("n")).asList().hasSize(4);
    }

    @Test
    void buildWhenAValueIsNotAJsonValueThenRefusedNamingTheMemberAndType() {
        assertThatThrownBy(() -> valid().attribute("at", Map.of("when", Instant.EPOCH)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("member 'attributes.at.when' is a java.time.Instant, which is not a JSON value");
        assertThatThrownBy(() -> valid().extension("count", new AtomicLong(3)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("member 'count' is a java.util.concurrent.atomic.AtomicLong, which is not a JSON value");
        // What the JSON writers know is fine: an enum is written as its name.
        assertThat(valid().attribute("v", List.of(1, 2L, (short) 3, (byte) 4, BigInteger.TEN, BigDecimal.ONE, true,
                Outcome.DENY, "s", Map.of())).build().attributes()).containsKey("v");
    }

    @Test
    void buildWhenTheIdIsNeitherAUlidNorAUuidThenRefusedSinceTheEntryCouldNeverBeReadBack() {
        for (String id : new String[] {"decision-42", "", "01JD4V9Q6ZK8M2X3N4P5R6S7T", "81JD4V9Q6ZK8M2X3N4P5R6S7T8"}) {
            assertThatThrownBy(() -> valid().id(id).build()).as(id).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("id must be a ULID or a UUID (the contract's ids are ULIDs and UUIDv7s)");
        }
        // What the readers of logged entries accept is accepted (entries logged before UUIDv7 was required).
        assertThat(valid().id("01JD4V9Q6ZK8M2X3N4P5R6S7T8").build().id()).isEqualTo("01JD4V9Q6ZK8M2X3N4P5R6S7T8");
        assertThat(valid().id("0193a5c2-7d1e-7c3a-9b2f-1e2d3c4b5a69").build().id()).isEqualTo("0193a5c2-7d1e-7c3a-9b2f-1e2d3c4b5a69");
        assertThat(valid().id("f47ac10b-58cc-4372-a567-0e02b2c3d479").build().id()).isEqualTo("f47ac10b-58cc-4372-a567-0e02b2c3d479");
    }

    @Test
    void anExtensionNamedAfterAContractMemberIsRefusedRatherThanWrittenInItsPlace() {
        for (String member : AuditEvent.MEMBER_NAMES) {
            assertThatThrownBy(() -> valid().extension(member, "x")).as(member).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + member + "' is a member of the contract, not an extension");
        }
        assertThat(valid().extension("x_vendor", "kept").build().extensions()).containsEntry("x_vendor", "kept");
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsAndMapsTheCallerKeepsCannotChangeTheEventAfterItWasBuilt() {
        List<Object> classes = new java.util.ArrayList<>(List.of("pii"));
        Map<String, Object> nested = new java.util.LinkedHashMap<>(Map.of("classes", classes));
        AuditEvent event = valid().attribute("fields", nested).build();
        AuditEventJson json = new AuditEventJson();
        byte[] before = json.canonicalBytes(event);

        classes.add("phi");
        nested.put("count", 2);

        assertThat(json.canonicalBytes(event)).isEqualTo(before);
        assertThatThrownBy(() -> ((List<Object>) ((Map<?, ?>) event.attributes().get("fields")).get("classes")).add("pci"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anActorExtensionIsAJsonValueAndNeverNamedAfterAContractMember() {
        assertThatThrownBy(() -> new Actor("alice", null, null, null, null, null, null, Map.of("subject", "mallory")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("actor extension 'subject' is a member of the contract");
        Actor withNaN = new Actor("alice", null, null, null, null, null, null, Map.of("risk", Double.NaN));
        assertThatThrownBy(() -> valid().actor(withNaN).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("member 'actor.risk' is NaN");
        // Kept when the subject is replaced; an actor without extensions equals the contract-only one.
        Actor tenant = new Actor("alice", null, null, null, null, null, null, Map.of("tenant", "acme"));
        assertThat(tenant.withSubject("bob").extensions()).containsEntry("tenant", "acme");
        assertThat(new Actor("a", null, null, null, null, null, null, null)).isEqualTo(new Actor("a", null, null, null, null, null, null));
    }
}
