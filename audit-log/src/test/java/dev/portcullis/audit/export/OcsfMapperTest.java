package dev.portcullis.audit.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.testing.TestEvents;
import tools.jackson.databind.node.ObjectNode;

class OcsfMapperTest {

    private final OcsfMapper mapper = new OcsfMapper();

    @Test
    void decisionMapsToApiActivityWithReadActivityAndDisposition() {
        ObjectNode allow = mapper.map(TestEvents.decision(1));
        assertThat(allow.get("class_uid").asInt()).isEqualTo(6003);
        assertThat(allow.get("category_uid").asInt()).isEqualTo(6);
        assertThat(allow.get("activity_id").asInt()).isEqualTo(2);
        assertThat(allow.get("type_uid").asLong()).isEqualTo(600302);
        assertThat(allow.get("time").asLong()).isEqualTo(TestEvents.BASE.toEpochMilli() + 1);
        assertThat(allow.get("disposition").asString()).isEqualTo("Allowed");
        assertThat(allow.at("/actor/user/name").asString()).isEqualTo("user-1");
        assertThat(allow.at("/http_request/url/path").asString()).isEqualTo("/orders/1");
        assertThat(allow.at("/src_endpoint/ip").asString()).isEqualTo("10.0.0.1");
        assertThat(allow.at("/metadata/uid").asString()).isEqualTo(TestEvents.id(1));
        assertThat(allow.at("/metadata/correlation_uid").asString()).isEqualTo("req-1");
        assertThat(allow.at("/unmapped/portcullis/attributes/n").asLong()).isEqualTo(1);

        // The actor's members the contract does not name are not lost in the mapping either.
        Actor actor = new Actor("user-1", null, null, null, null, null, null, java.util.Map.of("tenant", "acme"));
        assertThat(mapper.map(TestEvents.decision(1).toBuilder().actor(actor).build())
                .at("/unmapped/portcullis/actor_extensions/tenant").asString()).isEqualTo("acme");

        ObjectNode deny = mapper.map(TestEvents.decision(3));
        assertThat(deny.get("status_id").asInt()).isEqualTo(2);
        assertThat(deny.get("disposition_id").asInt()).isEqualTo(2);
        assertThat(deny.get("status_detail").asString()).isEqualTo("no-role");
    }

    @Test
    void authenticationFailureMapsToAuthenticationLogonFailure() {
        AuditEvent event = AuditEvent.builder(EventType.AUTHN_FAILURE, TestEvents.BASE)
                .actor(new Actor("mallory", null, null, "203.0.113.7", "python", null, null))
                .action("GET").resource("/orders/1").outcome(Outcome.DENY).reason("invalid_token").build();
        ObjectNode out = mapper.map(event);
        assertThat(out.get("class_uid").asInt()).isEqualTo(3002);
        assertThat(out.get("activity_id").asInt()).isEqualTo(1);
        assertThat(out.get("status").asString()).isEqualTo("Failure");
        assertThat(out.at("/user/name").asString()).isEqualTo("mallory");
    }

    @Test
    void anomalyMapsToDetectionFindingWithSeverityAndRelatedEvents() {
        AuditEvent event = AuditEvent.builder(EventType.ANOMALY_DETECTED, TestEvents.BASE)
                .actor(Actor.system("anomaly-detection")).action("detect").resource("ip:203.0.113.7")
                .outcome(Outcome.SUCCESS).attribute("detector", "credential-stuffing").attribute("severity", "high")
                .attribute("explanation", "412 failed logins").attribute("event_ids", List.of("a", "b")).build();
        ObjectNode out = mapper.map(event);
        assertThat(out.get("class_uid").asInt()).isEqualTo(2004);
        assertThat(out.get("severity_id").asInt()).isEqualTo(4);
        assertThat(out.at("/finding_info/title").asString()).isEqualTo("credential-stuffing");
        assertThat(out.at("/finding_info/related_events/1/uid").asString()).isEqualTo("b");
    }

    @Test
    void otherTypesMapToBaseEventAndKeepTheirType() {
        AuditEvent event = AuditEvent.builder(EventType.KEY_ROTATED, TestEvents.BASE).actor(Actor.system("rotation"))
                .action("rotate").resource("transit/keys/audit").outcome(Outcome.SUCCESS).build();
        ObjectNode out = mapper.map(event);
        assertThat(out.get("class_uid").asInt()).isZero();
        assertThat(out.at("/unmapped/portcullis/type").asString()).isEqualTo("key.rotated");
    }
}
