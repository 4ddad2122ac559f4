package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The decision document is read strictly: anything not exactly of the agreed shape is a
 * {@code MALFORMED_DECISION} (or {@code UNDEFINED}), never an allow and never a half-trusted deny.
 */
class PolicyDecisionReaderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    @Test
    void readWhenAllowWithReasonsAndHeadersThenAllDecisionPartsAreKept() throws PolicyException {
        PolicyDecision decision = PolicyDecisionReader.read(json("""
                {"allow": true, "status": 200, "reasons": ["role:order-reader"],
                 "headers": {"x-portcullis-route": "orders-read"}}"""));

        assertThat(decision.allow()).isTrue();
        assertThat(decision.status()).isEqualTo(200);
        assertThat(decision.reasons()).containsExactly("role:order-reader");
        assertThat(decision.headers()).containsExactly(java.util.Map.entry("x-portcullis-route", "orders-read"));
        assertThat(decision.body()).isNull();
    }

    @Test
    void readWhenDenyWithStatusAndBodyThenBoth() throws PolicyException {
        PolicyDecision decision = PolicyDecisionReader.read(json("""
                {"allow": false, "status": 401, "reasons": ["authentication_required"], "body": "{\\"why\\":\\"login\\"}"}"""));

        assertThat(decision.allow()).isFalse();
        assertThat(decision.status()).isEqualTo(401);
        assertThat(decision.body()).isEqualTo("{\"why\":\"login\"}");
    }

    @Test
    void readWhenStatusAbsentThenAllowIs200AndDenyIs403() throws PolicyException {
        assertThat(PolicyDecisionReader.read(json("{\"allow\": true, \"reasons\": [\"r\"]}")).status()).isEqualTo(200);
        assertThat(PolicyDecisionReader.read(json("{\"allow\": false, \"reasons\": [\"r\"]}")).status()).isEqualTo(403);
    }

    @Test
    void readWhenNoReasonsThenAReasonSaysSo() throws PolicyException {
        assertThat(PolicyDecisionReader.read(json("{\"allow\": true}")).reasons()).containsExactly("allowed_without_reason");
        assertThat(PolicyDecisionReader.read(json("{\"allow\": false}")).reasons()).containsExactly("denied_without_reason");
    }

    @Test
    void readWhenResultIsAbsentThenUndefined() {
        assertThatThrownBy(() -> PolicyDecisionReader.read(null))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.error()).isEqualTo(PolicyError.UNDEFINED));
        assertThatThrownBy(() -> PolicyDecisionReader.read(json("{}").get("result")))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.error()).isEqualTo(PolicyError.UNDEFINED));
    }

    static Stream<Arguments> illShapedDecisions() {
        String longBody = "x".repeat(16 * 1024 + 1);
        String longHeader = "v".repeat(4097);
        return Stream.of(
                Arguments.of("a decision that is not an object", "true"),
                Arguments.of("a decision that is an array", "[{\"allow\": true}]"),
                Arguments.of("a decision that is a string", "\"allow\""),
                Arguments.of("allow missing", "{\"status\": 200}"),
                Arguments.of("allow null", "{\"allow\": null}"),
                Arguments.of("allow as the string true", "{\"allow\": \"true\"}"),
                Arguments.of("allow as 1", "{\"allow\": 1}"),
                Arguments.of("allow as an object", "{\"allow\": {\"value\": true}}"),
                Arguments.of("status as a string", "{\"allow\": true, \"status\": \"200\"}"),
                Arguments.of("status as a float", "{\"allow\": true, \"status\": 200.5}"),
                Arguments.of("status as a whole float", "{\"allow\": false, \"status\": 403.0}"),
                Arguments.of("status beyond an int", "{\"allow\": false, \"status\": 40300000000000}"),
                Arguments.of("status as a boolean", "{\"allow\": true, \"status\": true}"),
                Arguments.of("allow with a deny status", "{\"allow\": true, \"status\": 403}"),
                Arguments.of("allow with a redirect status", "{\"allow\": true, \"status\": 302}"),
                Arguments.of("deny with a success status", "{\"allow\": false, \"status\": 200}"),
                Arguments.of("deny with a redirect status", "{\"allow\": false, \"status\": 302}"),
                Arguments.of("deny with status 0", "{\"allow\": false, \"status\": 0}"),
                Arguments.of("deny with a negative status", "{\"allow\": false, \"status\": -403}"),
                Arguments.of("deny with status 600", "{\"allow\": false, \"status\": 600}"),
                Arguments.of("reasons as a string", "{\"allow\": true, \"reasons\": \"role:x\"}"),
                Arguments.of("reasons with a number", "{\"allow\": true, \"reasons\": [\"role:x\", 7]}"),
                Arguments.of("reasons with an object", "{\"allow\": false, \"reasons\": [{\"r\": 1}]}"),
                Arguments.of("reasons with null", "{\"allow\": false, \"reasons\": [null]}"),
                Arguments.of("headers as an array", "{\"allow\": true, \"headers\": [\"x-a\"]}"),
                Arguments.of("a header value that is a number", "{\"allow\": true, \"headers\": {\"x-a\": 1}}"),
                Arguments.of("a header value with CR LF", "{\"allow\": true, \"headers\": {\"x-a\": \"ok\\r\\nSet-Cookie: s=1\"}}"),
                Arguments.of("a header value with LF", "{\"allow\": true, \"headers\": {\"x-a\": \"ok\\nx-b: 2\"}}"),
                Arguments.of("a header value with NUL", "{\"allow\": true, \"headers\": {\"x-a\": \"ok\\u0000\"}}"),
                Arguments.of("a header value too long", "{\"allow\": true, \"headers\": {\"x-a\": \"" + longHeader + "\"}}"),
                Arguments.of("a header name with a space", "{\"allow\": true, \"headers\": {\"x a\": \"v\"}}"),
                Arguments.of("a header name with a colon", "{\"allow\": true, \"headers\": {\"x-a:\": \"v\"}}"),
                Arguments.of("a header name with CR LF", "{\"allow\": true, \"headers\": {\"x-a\\r\\nx-b\": \"v\"}}"),
                Arguments.of("an empty header name", "{\"allow\": true, \"headers\": {\"\": \"v\"}}"),
                Arguments.of("a body that is an object", "{\"allow\": false, \"body\": {\"error\": \"x\"}}"),
                Arguments.of("a body too large", "{\"allow\": false, \"body\": \"" + longBody + "\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illShapedDecisions")
    void readWhenDecisionIsIllShapedThenMalformedDecision(String what, String decision) {
        assertThatThrownBy(() -> PolicyDecisionReader.read(json(decision)))
                .as(what)
                .isInstanceOfSatisfying(PolicyException.class,
                        e -> assertThat(e.error()).isEqualTo(PolicyError.MALFORMED_DECISION));
    }
}
