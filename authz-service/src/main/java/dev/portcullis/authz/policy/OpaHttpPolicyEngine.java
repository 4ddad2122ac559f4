package dev.portcullis.authz.policy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks Open Policy Agent for a decision over its REST data API
 * ({@code POST /v1/data/<path>} with {@code {"input": ...}}), through one shared HTTP client whose
 * keep-alive connections are reused, with a per-request timeout and a circuit breaker that stops
 * asking an engine that keeps failing (so a dead OPA costs microseconds per request, not a timeout).
 * Every failure is a {@link PolicyException}: the caller denies.
 */
public final class OpaHttpPolicyEngine implements PolicyEngine {

    /** The decision document of the authorization policy. */
    public static final String AUTHZ_DECISION_PATH = "portcullis/authz/decision";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    private static final int MAX_ANSWER_BYTES = 1024 * 1024;

    private final URI decisionUri;
    private final HttpClient http;
    private final JsonMapper json;
    private final Duration timeout;
    private final CircuitBreaker breaker;

    /**
     * @param opaUrl OPA's base URL, e.g. {@code http://127.0.0.1:8181}
     * @param decisionPath the decision's path under {@code /v1/data/}
     */
    public OpaHttpPolicyEngine(URI opaUrl, String decisionPath, HttpClient http, JsonMapper json, Duration timeout,
            CircuitBreaker breaker) {
        Objects.requireNonNull(opaUrl, "opaUrl cannot be null");
        Objects.requireNonNull(decisionPath, "decisionPath cannot be null");
        this.decisionUri = URI.create(opaUrl.toString().replaceAll("/+$", "") + "/v1/data/" + decisionPath);
        this.http = Objects.requireNonNull(http, "http cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
        this.breaker = Objects.requireNonNull(breaker, "breaker cannot be null");
    }

    @Override
    public PolicyDecision decide(Map<String, Object> input) throws PolicyException {
        if (!breaker.tryAcquirePermission()) {
            throw new PolicyException(PolicyError.CIRCUIT_OPEN, "circuit breaker open after repeated OPA failures");
        }
        long start = System.nanoTime();
        try {
            PolicyDecision decision = ask(input);
            breaker.onSuccess(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return decision;
        } catch (PolicyException e) {
            // A policy that answers "undefined" or nonsense is a policy problem, not an outage:
            // it denies, but must not open the circuit for requests the policy answers well.
            if (e.error() == PolicyError.UNDEFINED || e.error() == PolicyError.MALFORMED_DECISION) {
                breaker.onSuccess(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            } else {
                breaker.onError(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS, e);
            }
            throw e;
        } catch (CallNotPermittedException e) {
            throw new PolicyException(PolicyError.CIRCUIT_OPEN, "circuit breaker open", e);
        }
    }

    private PolicyDecision ask(Map<String, Object> input) throws PolicyException {
        byte[] body = json.writeValueAsBytes(Map.of("input", input));
        HttpRequest request = HttpRequest.newBuilder(decisionUri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new PolicyException(PolicyError.TIMEOUT, "no answer from OPA within " + timeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw new PolicyException(PolicyError.UNREACHABLE, "cannot connect to OPA at " + decisionUri.getAuthority(), e);
        } catch (IOException e) {
            throw new PolicyException(PolicyError.UNREACHABLE, "OPA connection failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException(PolicyError.UNREACHABLE, "interrupted while waiting for OPA", e);
        }
        if (response.statusCode() != 200) {
            throw new PolicyException(PolicyError.ENGINE_ERROR, "OPA answered HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_ANSWER_BYTES) {
            throw new PolicyException(PolicyError.MALFORMED_DECISION, "OPA's answer is larger than " + MAX_ANSWER_BYTES + " bytes");
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (RuntimeException e) {
            throw new PolicyException(PolicyError.MALFORMED_DECISION, "OPA's answer is not JSON", e);
        }
        if (answer == null || !answer.isObject()) {
            throw new PolicyException(PolicyError.MALFORMED_DECISION, "OPA's answer is not a JSON object");
        }
        return PolicyDecisionReader.read(answer.get("result"));
    }

    /** Where this engine asks, for health checks and logs. */
    public URI decisionUri() {
        return decisionUri;
    }
}
