package dev.portcullis.authz.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.authz.identity.AuthMethod;
import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.identity.IdentityResolver;
import dev.portcullis.authz.identity.Principal;
import dev.portcullis.authz.policy.PolicyDecision;
import dev.portcullis.authz.policy.PolicyEngine;
import dev.portcullis.authz.policy.PolicyError;
import dev.portcullis.authz.policy.PolicyException;
import dev.portcullis.authz.testing.Checks;
import dev.portcullis.authz.testing.RecordingAuditSink;

/**
 * The decision pipeline's own logic, with a stand-in policy engine and an in-memory audit sink:
 * what an allow carries, that every failure is a deny, that nothing is answered without an audit
 * record, and that no token ever reaches an event or the policy.
 */
class AuthorizerTest {

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWFsaWNl";
    private static final String FORGED = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.Zm9yZ2VkLXNpZ25hdHVyZQ";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:01Z");
    private static final Principal ALICE = new Principal(true, "alice", "portcullis-cli", "https://issuer.test",
            Set.of("order-reader", "auditor"), Set.of("acme"), Set.of("openid"), null, "jti-1", "sid-1", NOW.plusSeconds(300),
            List.of(AuthMethod.JWT));

    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final List<Map<String, Object>> policyInputs = new ArrayList<>();
    private final List<Decision> listened = new ArrayList<>();
    private PolicyEngine policy = input -> {
        policyInputs.add(input);
        return new PolicyDecision(true, 200, List.of("role:order-reader"), Map.of("x-portcullis-route", "orders-read"), null);
    };

    private Authorizer authorizer() {
        IdentityResolver identity = new IdentityResolver(token -> {
            if (token.equals(TOKEN)) {
                return ALICE;
            }
            throw new AuthenticationException(AuthenticationFailure.BAD_SIGNATURE, "signature does not verify", "mallory", null);
        }, null, Set.of());
        PolicyEngine recording = input -> policy.decide(input);
        return new Authorizer(identity, recording, audit, Clock.fixed(NOW, ZoneOffset.UTC),
                (context, decision, elapsed) -> listened.add(decision));
    }

    private static String json(AuditEvent event) {
        return new AuditEventJson().toJson(event);
    }

    @Test
    void checkWhenPolicyAllowsThenAllowWithSubjectDecisionIdAndPolicyHeaders() {
        Decision decision = authorizer().check(Checks.check().bearer(TOKEN).build());

        assertThat(decision.allow()).isTrue();
        assertThat(decision.code()).isEqualTo(DecisionCode.ALLOWED);
        assertThat(decision.status()).isEqualTo(200);
        assertThat(decision.decisionId()).isEqualTo(Checks.DECISION_ID);
        assertThat(decision.headers()).containsOnly(
                entry(Authorizer.SUBJECT_HEADER, "alice"),
                entry(Authorizer.DECISION_ID_HEADER, Checks.DECISION_ID),
                entry("x-portcullis-route", "orders-read"));
        assertThat(decision.reasons()).containsExactly("role:order-reader");
        assertThat(decision.subject()).isEqualTo("alice");
        assertThat(listened).containsExactly(decision);
    }

    @Test
    void checkWhenPolicyAllowsThenOneDecisionEventWhoseIdIsTheDecisionId() {
        authorizer().check(Checks.check().bearer(TOKEN).header("User-Agent", "curl/8.5").build());

        AuditEvent event = audit.only();
        assertThat(event.id()).isEqualTo(Checks.DECISION_ID);
        assertThat(event.type()).isEqualTo(EventType.AUTHZ_DECISION);
        assertThat(event.time()).isEqualTo(Checks.RECEIVED_AT);
        assertThat(event.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(event.action()).isEqualTo("GET");
        assertThat(event.resource()).isEqualTo("/orders/1");
        assertThat(event.reason()).isEqualTo("role:order-reader");
        assertThat(event.requestId()).isEqualTo("req-1");
        assertThat(event.actor().subject()).isEqualTo("alice");
        assertThat(event.actor().clientId()).isEqualTo("portcullis-cli");
        assertThat(event.actor().tokenId()).isEqualTo("jti-1");
        assertThat(event.actor().sessionId()).isEqualTo("sid-1");
        assertThat(event.actor().ip()).isEqualTo("203.0.113.7");
        assertThat(event.actor().userAgent()).isEqualTo("curl/8.5");
        assertThat(event.attributes()).containsEntry("protocol", "nginx").containsEntry("status", 200)
                .containsEntry("auth_methods", List.of("jwt"));
    }

    @Test
    void checkWhenAllowedThenTheDecisionIsAuditedBeforeItIsReturned() {
        List<String> order = new ArrayList<>();
        IdentityResolver identity = new IdentityResolver(token -> ALICE, null, Set.of());
        Authorizer authorizer = new Authorizer(identity, input -> {
            order.add("policy");
            return new PolicyDecision(true, 200, List.of("r"), Map.of(), null);
        }, event -> order.add("audit"), Clock.fixed(NOW, ZoneOffset.UTC), (c, d, e) -> order.add("listener"));

        authorizer.check(Checks.check().bearer(TOKEN).build());

        assertThat(order).containsExactly("policy", "audit", "listener");
    }

    @Test
    void checkWhenTheCallerIsAWorkloadThenTheSubjectHeaderIsItsSpiffeId() {
        Principal workload = Principal.workload("spiffe://portcullis.test/ns/shop/sa/checkout", AuthMethod.MTLS);
        Authorizer authorizer = new Authorizer(new IdentityResolver(t -> workload, null, Set.of()),
                input -> new PolicyDecision(true, 200, List.of("spiffe:x"), Map.of(), null), audit,
                Clock.fixed(NOW, ZoneOffset.UTC), DecisionListener.NONE);

        Decision decision = authorizer.check(Checks.check().bearer("any").build());

        assertThat(decision.headers()).containsEntry(Authorizer.SUBJECT_HEADER, "spiffe://portcullis.test/ns/shop/sa/checkout");
    }

    @Test
    void checkWhenPolicyDeniesThenForbiddenWithABodyAndADenyEvent() {
        policy = input -> new PolicyDecision(false, 403, List.of("missing_role:order-reader", "not_granted"), Map.of(), null);

        Decision decision = authorizer().check(Checks.check().bearer(TOKEN).build());

        assertThat(decision.allow()).isFalse();
        assertThat(decision.code()).isEqualTo(DecisionCode.DENIED_BY_POLICY);
        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.headers()).doesNotContainKey(Authorizer.SUBJECT_HEADER)
                .containsEntry(Authorizer.DECISION_ID_HEADER, Checks.DECISION_ID);
        assertThat(decision.body()).isEqualTo("{\"error\":\"forbidden\",\"decision_id\":\"" + Checks.DECISION_ID + "\"}");
        AuditEvent event = audit.only();
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.reason()).isEqualTo("missing_role:order-reader,not_granted");
    }

    @Test
    void checkWhenPolicyAsksAnAnonymousCallerToAuthenticateThenA401WithABearerChallenge() {
        policy = input -> new PolicyDecision(false, 401, List.of("authentication_required"), Map.of(), null);

        Decision decision = authorizer().check(Checks.check().build());

        assertThat(decision.status()).isEqualTo(401);
        assertThat(decision.headers()).containsEntry("www-authenticate", "Bearer realm=\"portcullis\"");
        assertThat(decision.body()).contains("\"error\":\"unauthorized\"");
        assertThat(audit.only().actor().subject()).isNull();
    }

    @Test
    void checkWhenThePolicyEngineFailsThen503DenyAndAnErrorEventWithTheCause() {
        for (PolicyError error : PolicyError.values()) {
            RecordingAuditSink sink = new RecordingAuditSink();
            Authorizer authorizer = new Authorizer(new IdentityResolver(t -> ALICE, null, Set.of()),
                    input -> {
                        throw new PolicyException(error, "simulated");
                    }, sink, Clock.fixed(NOW, ZoneOffset.UTC), DecisionListener.NONE);

            Decision decision = authorizer.check(Checks.check().bearer(TOKEN).build());

            assertThat(decision.allow()).as(error.name()).isFalse();
            assertThat(decision.status()).isEqualTo(503);
            assertThat(decision.code()).isEqualTo(DecisionCode.POLICY_ERROR);
            assertThat(decision.reasons()).containsExactly("policy_error:" + error.label());
            assertThat(decision.headers()).doesNotContainKey(Authorizer.SUBJECT_HEADER);
            AuditEvent event = sink.only();
            assertThat(event.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(event.reason()).isEqualTo("policy_error:" + error.label());
            assertThat(event.attributes()).containsEntry("status", 503);
        }
    }

    @Test
    void checkWhenTheDecisionCannotBeAuditedThen503DenyEvenThoughThePolicyAllowed() {
        audit.failFromNowOn();

        Decision decision = authorizer().check(Checks.check().bearer(TOKEN).build());

        assertThat(decision.allow()).isFalse();
        assertThat(decision.status()).isEqualTo(503);
        assertThat(decision.code()).isEqualTo(DecisionCode.AUDIT_ERROR);
        assertThat(decision.reasons()).containsExactly("audit_error");
        assertThat(decision.headers()).doesNotContainKey(Authorizer.SUBJECT_HEADER);
        assertThat(listened).containsExactly(decision);
    }

    @Test
    void checkWhenARejectedCredentialCannotBeAuditedThen503() {
        audit.failFromNowOn();

        Decision decision = authorizer().check(Checks.check().bearer(FORGED).build());

        assertThat(decision.status()).isEqualTo(503);
        assertThat(decision.code()).isEqualTo(DecisionCode.AUDIT_ERROR);
    }

    @Test
    void checkWhenTheCredentialIsRejectedThen401WithAnRfc6750ChallengeAndThePolicyIsNotAsked() {
        Decision decision = authorizer().check(Checks.check().bearer(FORGED).build());

        assertThat(decision.allow()).isFalse();
        assertThat(decision.code()).isEqualTo(DecisionCode.AUTHENTICATION_FAILED);
        assertThat(decision.status()).isEqualTo(401);
        assertThat(decision.reasons()).containsExactly("authn:bad_signature");
        assertThat(decision.headers()).containsEntry("www-authenticate",
                "Bearer realm=\"portcullis\", error=\"invalid_token\", error_description=\"the token's signature is invalid\"");
        assertThat(decision.body()).isEqualTo("{\"error\":\"invalid_token\",\"decision_id\":\"" + Checks.DECISION_ID + "\"}");
        assertThat(policyInputs).isEmpty();
    }

    @Test
    void checkWhenTheCredentialIsRejectedThenAnAuthnFailureEventWithTheClaimedSubjectAndNoToken() {
        authorizer().check(Checks.check().bearer(FORGED).build());

        AuditEvent event = audit.only();
        assertThat(event.type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(event.id()).isEqualTo(Checks.DECISION_ID);
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.reason()).isEqualTo("authn:bad_signature");
        assertThat(event.actor().subject()).isEqualTo("mallory");
        assertThat(event.attributes()).containsEntry("credential", "token").containsEntry("protocol", "nginx");
        assertThat(json(event)).doesNotContain(FORGED).doesNotContain(FORGED.split("\\.")[2]);
    }

    @Test
    void checkWhenTheAuthorizationHeaderIsMalformedThen400InvalidRequest() {
        Decision decision = authorizer().check(Checks.check().header("Authorization", "Basic YWxpY2U6YWxpY2U=").build());

        assertThat(decision.status()).isEqualTo(400);
        assertThat(decision.headers().get("www-authenticate")).contains("error=\"invalid_request\"");
        assertThat(audit.only().type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(json(audit.only())).doesNotContain("YWxpY2U6YWxpY2U=");
    }

    @Test
    void checkNeverPutsTheTokenOrOtherCredentialsIntoAnEventOrThePolicyInput() {
        Authorizer authorizer = authorizer();
        authorizer.check(Checks.check().bearer(TOKEN).header("Cookie", "session=cookie-secret")
                .header("Proxy-Authorization", "Basic cHJveHktc2VjcmV0").build());
        policy = input -> new PolicyDecision(false, 403, List.of("no"), Map.of(), null);
        authorizer.check(Checks.check().bearer(TOKEN).build());
        authorizer.check(Checks.check().bearer(FORGED).build());

        assertThat(audit.events()).hasSize(3);
        for (AuditEvent event : audit.events()) {
            assertThat(json(event)).doesNotContain(TOKEN).doesNotContain(TOKEN.split("\\.")[2])
                    .doesNotContain(FORGED.split("\\.")[2]).doesNotContain("cookie-secret").doesNotContain("cHJveHktc2VjcmV0");
        }
        assertThat(policyInputs.get(0).toString()).doesNotContain(TOKEN.split("\\.")[2]).doesNotContain("cookie-secret")
                .doesNotContain("cHJveHktc2VjcmV0");
    }

    @Test
    void checkGivesThePolicyTheVerifiedPrincipalTheRequestAndTheServicesClock() {
        authorizer().check(Checks.check().bearer(TOKEN).header("Accept", "application/json").build());

        Map<String, Object> input = policyInputs.get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> principal = (Map<String, Object>) input.get("principal");
        @SuppressWarnings("unchecked")
        Map<String, Object> request = (Map<String, Object>) input.get("request");
        assertThat(principal).containsEntry("authenticated", true).containsEntry("subject", "alice")
                .containsEntry("roles", List.of("auditor", "order-reader")).containsEntry("tenants", List.of("acme"))
                .containsEntry("auth_methods", List.of("jwt"));
        assertThat(request).containsEntry("method", "GET").containsEntry("path", "/orders/1")
                .containsEntry("protocol", "nginx").containsEntry("id", Checks.DECISION_ID);
        assertThat(request.get("headers")).isEqualTo(Map.of("accept", "application/json"));
        assertThat(request).containsEntry("source_ip", "203.0.113.7").containsEntry("source_network", null);
        assertThat(input.get("now_ns")).isEqualTo(NOW.getEpochSecond() * 1_000_000_000L);
    }

    @Test
    void checkFromAnIpv6SourceGivesThePolicyItsSlash64ForTheBlockList() {
        authorizer().check(Checks.check().bearer(TOKEN).sourceIp("2001:db8:1:2::99").build());

        @SuppressWarnings("unchecked")
        Map<String, Object> request = (Map<String, Object>) policyInputs.get(0).get("request");
        assertThat(request).containsEntry("source_ip", "2001:db8:1:2::99")
                .containsEntry("source_network", "2001:db8:1:2:0:0:0:0/64");
    }

    @Test
    void checkFromAnIpv4MappedSourceGivesThePolicyTheIpv4AddressABlockNames() {
        // Envoy with ipv4_compat, nginx on [::] with ipv6only=off: the detector blocks ip:203.0.113.7.
        authorizer().check(Checks.check().bearer(TOKEN).sourceIp("::ffff:203.0.113.7").build());

        @SuppressWarnings("unchecked")
        Map<String, Object> request = (Map<String, Object>) policyInputs.get(0).get("request");
        assertThat(request).containsEntry("source_network", "203.0.113.7");
    }

    @Test
    void refuseCallerThen403AndADenyEventForTheCheck() {
        Decision decision = authorizer().refuseCaller("01JD4V9Q6ZK8M2X3N4P5R6S7T1", Protocol.ENVOY_HTTP, "198.51.100.9", NOW, "not trusted");

        assertThat(decision.allow()).isFalse();
        assertThat(decision.status()).isEqualTo(403);
        assertThat(decision.code()).isEqualTo(DecisionCode.CALLER_NOT_TRUSTED);
        AuditEvent event = audit.only();
        assertThat(event.id()).isEqualTo("01JD4V9Q6ZK8M2X3N4P5R6S7T1");
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.reason()).isEqualTo("caller_not_trusted");
        assertThat(event.actor().ip()).isEqualTo("198.51.100.9");
        assertThat(listened).containsExactly(decision);
    }

    @Test
    void refuseMalformedThen400AndADenyEvent() {
        Decision decision = authorizer().refuseMalformed("01JD4V9Q6ZK8M2X3N4P5R6S7T2", Protocol.NGINX, "127.0.0.1", NOW, "no method");

        assertThat(decision.status()).isEqualTo(400);
        assertThat(decision.code()).isEqualTo(DecisionCode.BAD_CHECK);
        assertThat(audit.only().reason()).isEqualTo("bad_check");
    }

    @Test
    void refuseWhenTheRefusalCannotBeAuditedThen503() {
        audit.failFromNowOn();

        assertThat(authorizer().refuseCaller("01JD4V9Q6ZK8M2X3N4P5R6S7T3", Protocol.ENVOY_HTTP, null, NOW, "x").status()).isEqualTo(503);
        assertThat(authorizer().refuseMalformed("01JD4V9Q6ZK8M2X3N4P5R6S7T4", Protocol.NGINX, null, NOW, "x").code()).isEqualTo(DecisionCode.AUDIT_ERROR);
    }

    @Test
    void decisionRefusesAnAllowWithoutSuccessOrADenyWithSuccess() {
        assertThatThrownBy(() -> new Decision("d", DecisionCode.ALLOWED, true, 403, List.of(),
                Map.of(), null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Decision("d", DecisionCode.DENIED_BY_POLICY, false, 200,
                List.of(), Map.of(), null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Decision("d", DecisionCode.DENIED_BY_POLICY, false, 302,
                List.of(), Map.of(), null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
