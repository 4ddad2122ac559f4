package dev.portcullis.authz.adapter.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Status;

import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionCode;

/**
 * A decision in Envoy's ext_authz v3 {@code CheckResponse}: OK with the upstream headers only for
 * an allow; every denial a non-OK google.rpc code with the HTTP status Envoy sends the client.
 */
class EnvoyCheckResponsesTest {

    private static Map<String, String> headers(List<HeaderValueOption> options) {
        Map<String, String> map = new LinkedHashMap<>();
        for (HeaderValueOption option : options) {
            assertThat(option.getAppendAction()).isEqualTo(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
            map.put(option.getHeader().getKey(), option.getHeader().getValue());
        }
        return map;
    }

    @Test
    void ofWhenAllowedThenOkWithTheUpstreamHeadersAndNoDeniedResponse() {
        Decision allow = new Decision("01D", DecisionCode.ALLOWED, true, 200, List.of("role:order-reader"),
                Map.of("x-portcullis-subject", "alice", "x-portcullis-decision-id", "01D"), null, "alice");

        CheckResponse response = EnvoyCheckResponses.of(allow);

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
        assertThat(response.hasOkResponse()).isTrue();
        assertThat(response.hasDeniedResponse()).isFalse();
        assertThat(headers(response.getOkResponse().getHeadersList()))
                .containsEntry("x-portcullis-subject", "alice").containsEntry("x-portcullis-decision-id", "01D");
    }

    static Stream<Arguments> denials() {
        return Stream.of(
                Arguments.of(400, DecisionCode.BAD_CHECK, Status.Code.INVALID_ARGUMENT, 400),
                Arguments.of(401, DecisionCode.AUTHENTICATION_FAILED, Status.Code.UNAUTHENTICATED, 401),
                Arguments.of(403, DecisionCode.DENIED_BY_POLICY, Status.Code.PERMISSION_DENIED, 403),
                Arguments.of(403, DecisionCode.CALLER_NOT_TRUSTED, Status.Code.PERMISSION_DENIED, 403),
                Arguments.of(404, DecisionCode.DENIED_BY_POLICY, Status.Code.PERMISSION_DENIED, 404),
                Arguments.of(429, DecisionCode.DENIED_BY_POLICY, Status.Code.RESOURCE_EXHAUSTED, 429),
                Arguments.of(500, DecisionCode.DENIED_BY_POLICY, Status.Code.INTERNAL, 500),
                Arguments.of(503, DecisionCode.POLICY_ERROR, Status.Code.UNAVAILABLE, 503),
                Arguments.of(503, DecisionCode.AUDIT_ERROR, Status.Code.UNAVAILABLE, 503),
                Arguments.of(504, DecisionCode.POLICY_ERROR, Status.Code.UNAVAILABLE, 504),
                // Statuses Envoy's enum does not know map to a denial, never to an empty (0) status.
                Arguments.of(499, DecisionCode.DENIED_BY_POLICY, Status.Code.PERMISSION_DENIED, 403),
                Arguments.of(599, DecisionCode.DENIED_BY_POLICY, Status.Code.INTERNAL, 503));
    }

    @ParameterizedTest(name = "HTTP {0} ({1}) -> {2}, Envoy answers {3}")
    @MethodSource("denials")
    void ofWhenDeniedThenTheRightRpcCodeAndHttpStatusNeverOk(int status, DecisionCode code, Status.Code rpc, int httpStatus) {
        Decision deny = new Decision("01D", code, false, status, List.of("why"), Map.of("x-portcullis-decision-id", "01D"),
                "{\"error\":\"x\",\"decision_id\":\"01D\"}", null);

        CheckResponse response = EnvoyCheckResponses.of(deny);

        assertThat(response.getStatus().getCode()).isNotEqualTo(Status.Code.OK.value()).isEqualTo(rpc.value());
        assertThat(response.getStatus().getMessage()).isEqualTo("why");
        assertThat(response.hasOkResponse()).isFalse();
        assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(httpStatus);
        assertThat(response.getDeniedResponse().getBody()).isEqualTo("{\"error\":\"x\",\"decision_id\":\"01D\"}");
        assertThat(headers(response.getDeniedResponse().getHeadersList()))
                .containsEntry("x-portcullis-decision-id", "01D").containsEntry("content-type", "application/json");
    }

    @Test
    void ofWhenDeniedWithAChallengeThenTheClientGetsIt() {
        Decision unauthenticated = new Decision("01D", DecisionCode.AUTHENTICATION_FAILED, false, 401, List.of("authn:expired"),
                Map.of("www-authenticate", "Bearer realm=\"portcullis\", error=\"invalid_token\""), "{\"error\":\"invalid_token\"}", null);

        Map<String, String> headers = headers(EnvoyCheckResponses.of(unauthenticated).getDeniedResponse().getHeadersList());

        assertThat(headers).containsEntry("www-authenticate", "Bearer realm=\"portcullis\", error=\"invalid_token\"");
    }

    @Test
    void ofWhenDeniedWithoutABodyThenNoContentType() {
        Decision deny = new Decision("01D", DecisionCode.DENIED_BY_POLICY, false, 403, List.of("no"), Map.of(), null, null);

        CheckResponse response = EnvoyCheckResponses.of(deny);

        assertThat(response.getDeniedResponse().getBody()).isEmpty();
        assertThat(headers(response.getDeniedResponse().getHeadersList())).doesNotContainKey("content-type");
    }
}
