package dev.portcullis.authz.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.EnabledProtocols;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.identity.AuthMethod;
import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.identity.IdentityResolver;
import dev.portcullis.authz.identity.Principal;
import dev.portcullis.authz.policy.PolicyDecision;
import dev.portcullis.authz.policy.PolicyEngine;
import dev.portcullis.authz.testing.RecordingAuditSink;
import dev.portcullis.authz.testing.TestCertificates;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may ask the HTTP check endpoints: the controllers themselves refuse a caller that is neither
 * on loopback nor a trusted proxy (these endpoints do not pass through Spring Security's filters),
 * before authenticating, asking the policy or reading the request body, and audit the refusal.
 * A policy that allows everything and a valid token make sure a missing caller check would show.
 */
class CheckEndpointCallersTest {

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWFsaWNl";
    private static final String REMOTE = "198.51.100.7";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:01Z");
    private static final Principal ALICE = new Principal(true, "alice", "portcullis-cli", "https://issuer.test",
            Set.of("order-reader"), Set.of(), Set.of("openid"), null, "jti-1", "sid-1", NOW.plusSeconds(300), List.of(AuthMethod.JWT));

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final List<Map<String, Object>> policyInputs = new ArrayList<>();
    // No certificate verifier and no trusted proxy: no client certificate makes a caller trusted.
    private final IdentityResolver identity = new IdentityResolver(token -> {
        if (token.equals(TOKEN)) {
            return ALICE;
        }
        throw new AuthenticationException(AuthenticationFailure.BAD_SIGNATURE, "signature does not verify", null, null);
    }, null, Set.of());
    private final PolicyEngine allowEverything = input -> {
        policyInputs.add(input);
        return new PolicyDecision(true, 200, List.of("role:order-reader"), Map.of(), null);
    };
    private final Authorizer authorizer = new Authorizer(identity, allowEverything, audit, clock, (c, d, e) -> { });
    private final CallerTrust callers = new CallerTrust(identity);
    private final CheckServlet checks = new CheckServlet(
            new HttpCheckContexts(EnumSet.of(Protocol.NGINX, Protocol.TRAEFIK, Protocol.ENVOY_HTTP), identity), callers,
            authorizer, new DecisionIds(clock), clock);
    private final DecisionsController decisions = new DecisionsController(EnabledProtocols.all(), callers, authorizer,
            new DecisionIds(clock), clock, JsonMapper.builder().build());

    private static MockHttpServletRequest nginxCheck(String remote, X509Certificate... peer) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/check");
        request.setRemoteAddr(remote);
        request.addHeader("X-Original-Method", "GET");
        request.addHeader("X-Original-URI", "/orders/1");
        request.addHeader("Authorization", "Bearer " + TOKEN);
        if (peer.length > 0) {
            request.setAttribute("jakarta.servlet.request.X509Certificate", peer);
        }
        return request;
    }

    private static MockHttpServletRequest decisionRequest(String remote, String body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/decisions");
        request.setRemoteAddr(remote);
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        return request;
    }

    private void assertRefusedAndAudited(int status, String decisionId) {
        assertThat(status).isEqualTo(403);
        AuditEvent event = audit.only();
        assertThat(event.id()).isEqualTo(decisionId);
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.reason()).isEqualTo("caller_not_trusted");
        assertThat(event.actor().ip()).isEqualTo(REMOTE);
        assertThat(event.actor().subject()).isNull();
        assertThat(policyInputs).isEmpty();
    }

    @Test
    void checkWhenCallerIsNeitherOnLoopbackNorPresentsACertificateThenRefusedAndAudited() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        checks.check(nginxCheck(REMOTE), response);

        assertRefusedAndAudited(response.getStatus(), response.getHeader(Authorizer.DECISION_ID_HEADER));
        assertThat(response.getContentAsString()).contains("\"error\":\"caller_not_trusted\"");
        assertThat(response.getHeader(Authorizer.SUBJECT_HEADER)).isNull();
        // The protective headers Spring Security's filter chain used to add.
        assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.getHeader("X-Frame-Options")).isEqualTo("DENY");
    }

    @Test
    void checkWhenCallerPresentsACertificateOfNoTrustedProxyThenRefused() throws Exception {
        TestCertificates.Authority ca = TestCertificates.Authority.create("Callers test CA");
        X509Certificate stranger = ca.leaf().uris("spiffe://portcullis.test/ns/mesh/sa/stranger")
                .validity(NOW.minusSeconds(3600), NOW.plusSeconds(3600)).issue().certificate();
        MockHttpServletResponse response = new MockHttpServletResponse();

        checks.check(nginxCheck(REMOTE, stranger, ca.certificate()), response);

        assertRefusedAndAudited(response.getStatus(), response.getHeader(Authorizer.DECISION_ID_HEADER));
    }

    @Test
    void checkWhenCallerIsOnLoopbackThenDecided() throws Exception {
        for (String loopback : List.of("127.0.0.1", "::1")) {
            MockHttpServletResponse response = new MockHttpServletResponse();

            checks.check(nginxCheck(loopback), response);

            assertThat(response.getStatus()).as(loopback).isEqualTo(200);
            assertThat(response.getHeader(Authorizer.SUBJECT_HEADER)).as(loopback).isEqualTo("alice");
        }
        assertThat(policyInputs).hasSize(2);
    }

    @Test
    void decisionsWhenCallerIsNotTrustedThenRefusedBeforeTheBodyIsRead() throws Exception {
        // A body that would be a 400 if it were read: the refusal must come first.
        MockHttpServletRequest request = decisionRequest(REMOTE, "not json");

        ResponseEntity<?> answer = decisions.decide(request, new MockHttpServletResponse());

        assertRefusedAndAudited(answer.getStatusCode().value(), answer.getHeaders().getFirst(Authorizer.DECISION_ID_HEADER));
        assertThat(answer.getBody()).asString().contains("\"error\":\"caller_not_trusted\"");
        // The request's one input stream still holds the whole body: nothing of it was read.
        assertThat(new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("not json");
    }

    @Test
    void decisionsWhenCallerIsOnLoopbackThenDecided() throws Exception {
        ResponseEntity<?> answer = decisions.decide(decisionRequest("127.0.0.1",
                "{\"method\":\"GET\",\"path\":\"/orders/1\",\"token\":\"" + TOKEN + "\"}"), new MockHttpServletResponse());

        assertThat(answer.getStatusCode().value()).isEqualTo(200);
        assertThat(answer.getBody()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("allow", true).containsEntry("subject", "alice");
    }
}
