package dev.portcullis.authz.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import java.nio.charset.StandardCharsets;
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
import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.identity.IdentityResolver;
import dev.portcullis.authz.policy.PolicyDecision;
import dev.portcullis.authz.policy.PolicyEngine;
import dev.portcullis.authz.testing.RecordingAuditSink;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks that do not say clearly what they are about, or whose answer breaks, behind a policy that
 * allows everything (so that a check let through would show as a 200): each is denied and audited,
 * and an ambiguous one never reaches the policy.
 */
class UnclearChecksTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:01Z");

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final RecordingAuditSink audit = new RecordingAuditSink();
    private final List<Map<String, Object>> policyInputs = new ArrayList<>();
    private RuntimeException policyDefect;
    private final IdentityResolver identity = new IdentityResolver(token -> {
        throw new AuthenticationException(AuthenticationFailure.BAD_SIGNATURE, "no tokens in this test", null, null);
    }, null, Set.of());
    private final PolicyEngine allowEverything = input -> {
        policyInputs.add(input);
        if (policyDefect != null) {
            throw policyDefect;
        }
        return new PolicyDecision(true, 200, List.of("allow-all"), Map.of(), null);
    };
    private final Authorizer authorizer = new Authorizer(identity, allowEverything, audit, clock, (c, d, e) -> { });
    private final CallerTrust callers = new CallerTrust(identity);

    private CheckServlet checks() {
        return new CheckServlet(new HttpCheckContexts(EnumSet.allOf(Protocol.class), identity), callers, authorizer,
                new DecisionIds(clock), clock);
    }

    private DecisionsController decisions(EnabledProtocols enabled) {
        return new DecisionsController(enabled, callers, authorizer, new DecisionIds(clock), clock, JsonMapper.builder().build());
    }

    private static MockHttpServletRequest nginx(String uri) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/check");
        request.setRemoteAddr("127.0.0.1");
        request.addHeader("X-Original-Method", "GET");
        request.addHeader("X-Original-URI", uri);
        return request;
    }

    private static MockHttpServletRequest traefik(String uri) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/check");
        request.setRemoteAddr("127.0.0.1");
        request.addHeader("X-Forwarded-Method", "GET");
        request.addHeader("X-Forwarded-Uri", uri);
        return request;
    }

    private static MockHttpServletRequest decisionRequest(String body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/decisions");
        request.setRemoteAddr("127.0.0.1");
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        return request;
    }

    private MockHttpServletResponse check(MockHttpServletRequest request) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        checks().check(request, response);
        return response;
    }

    @Test
    void aTargetThatAProxyOrUpstreamMayResolveToAnotherPathIsRefusedBeforeThePolicy() throws Exception {
        List<String> targets = List.of("//admin/orders/1", "/orders//1", "/orders/../admin/keys", "/orders/%2e%2E/admin",
                "/orders/..;/admin", "/orders/.;x=1/1", "/./orders/1", "/orders%2F1", "/orders%5c1", "/orders\\1",
                "/orders/1#fragment");
        for (String target : targets) {
            for (MockHttpServletRequest request : List.of(nginx(target), traefik(target))) {
                MockHttpServletResponse response = check(request);

                assertThat(response.getStatus()).as(target).isEqualTo(400);
                assertThat(audit.events().getLast().reason()).as(target).isEqualTo("bad_check");
                assertThat(audit.events().getLast().outcome()).as(target).isEqualTo(Outcome.DENY);
            }
        }
        assertThat(audit.events()).hasSize(2 * targets.size());
        assertThat(policyInputs).isEmpty();
    }

    @Test
    void unusualButUnambiguousTargetsAreDecidedOnTheirOwnPath() throws Exception {
        Map<String, String> targets = Map.of(
                "/orders/1/", "/orders/1/",
                "/orders/1;v=2", "/orders/1;v=2",
                "/orders/...", "/orders/...",
                "/orders/.hidden", "/orders/.hidden",
                "/orders/1?next=//admin/../x", "/orders/1",
                "/", "/");
        for (Map.Entry<String, String> target : targets.entrySet()) {
            assertThat(check(nginx(target.getKey())).getStatus()).as(target.getKey()).isEqualTo(200);
            assertThat(policyInputs.getLast()).as(target.getKey()).extractingByKey("request", MAP)
                    .containsEntry("path", target.getValue());
        }
    }

    @Test
    void theEnvoyHttpPathAfterThePrefixIsHeldToTheSameRules() throws Exception {
        MockHttpServletRequest merged = new MockHttpServletRequest("GET", "/v1/check//admin/orders/1");
        merged.setRemoteAddr("127.0.0.1");

        assertThat(check(merged).getStatus()).isEqualTo(400);
        assertThat(policyInputs).isEmpty();
    }

    @Test
    void aForwardedForOfNothingButCommasLeavesThePeersOwnAddress() throws Exception {
        MockHttpServletRequest request = traefik("/orders/1");
        request.addHeader("X-Forwarded-For", ",");

        MockHttpServletResponse response = check(request);

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(audit.only().actor().ip()).isEqualTo("127.0.0.1");
    }

    @Test
    void anUnexpectedFailureIsAnAuditedDenialNotAnError500WithoutARecord() throws Exception {
        policyDefect = new IllegalStateException("a defect that quotes the request: Bearer secret-token");

        MockHttpServletResponse checked = check(nginx("/orders/1"));
        ResponseEntity<?> decided = decisions(EnabledProtocols.all())
                .decide(decisionRequest("{\"method\":\"GET\",\"path\":\"/orders/1\"}"), new MockHttpServletResponse());

        assertThat(checked.getStatus()).isEqualTo(500);
        assertThat(checked.getHeader(Authorizer.SUBJECT_HEADER)).isNull();
        assertThat(decided.getStatusCode().value()).isEqualTo(500);
        assertThat(decided.getBody()).asInstanceOf(MAP).containsEntry("allow", false).containsEntry("code", "internal_error");
        assertThat(audit.events()).hasSize(2).allSatisfy(event -> {
            assertThat(event.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(event.reason()).isEqualTo("internal_error");
            assertThat(event.attributes()).containsEntry("detail", "unexpected IllegalStateException");
        });
        assertThat(audit.events().toString()).doesNotContain("secret-token");
    }

    @Test
    void theDecisionApiSwitchedOffIsRefusedAndAudited() throws Exception {
        EnabledProtocols withoutIt = new EnabledProtocols(EnumSet.complementOf(EnumSet.of(Protocol.DECISION_API)));

        ResponseEntity<?> answer = decisions(withoutIt)
                .decide(decisionRequest("{\"method\":\"GET\",\"path\":\"/orders/1\"}"), new MockHttpServletResponse());

        assertThat(answer.getStatusCode().value()).isEqualTo(400);
        AuditEvent event = audit.only();
        assertThat(event.reason()).isEqualTo("bad_check");
        assertThat(event.attributes()).containsEntry("detail", "the decision-api protocol is not enabled on this service");
        assertThat(policyInputs).isEmpty();
    }

    @Test
    void theDecisionApiHoldsItsPathAndRequestIdToTheAdaptersRules() throws Exception {
        DecisionsController decisions = decisions(EnabledProtocols.all());

        ResponseEntity<?> merged = decisions.decide(decisionRequest("{\"method\":\"GET\",\"path\":\"//admin/orders/1\"}"),
                new MockHttpServletResponse());
        ResponseEntity<?> oddId = decisions.decide(decisionRequest(
                "{\"method\":\"GET\",\"path\":\"/orders/1\",\"request_id\":\"id with spaces\\nand a new line\"}"),
                new MockHttpServletResponse());

        assertThat(merged.getStatusCode().value()).isEqualTo(400);
        assertThat(oddId.getStatusCode().value()).isEqualTo(200);
        assertThat(audit.events().getLast().requestId()).isNull();
    }
}
