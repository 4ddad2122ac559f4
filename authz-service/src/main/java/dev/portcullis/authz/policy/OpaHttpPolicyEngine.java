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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import dev.portcullis.authz.outbound.BoundedBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks Open Policy Agent for a decision over its REST data API
 * ({@code POST /v1/data/<path>} with {@code {"input": ...}}), through one shared HTTP client whose
 * keep-alive connections are reused, with a per-request timeout and a circuit breaker that stops
 * asking an engine that keeps failing (so a dead OPA costs microseconds per request, not a timeout).
 * Every failure is a {@link PolicyException}: the caller denies.
 *
 * <p>At most {@code maxInFlight} questions are open at OPA at once; further checks wait here for
 * a free place, within the same timeout. The JDK's client opens a new connection for every
 * request it cannot put on an idle one, so a burst of checks became a burst of connections that
 * OPA could not accept ("connect timed out" on loopback, docs/benchmarks.md, authz run 6), and the
 * questions it did accept all slowed down together. Waiting here keeps OPA's queue short and the
 * failures to the checks that could not be served in time.
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
    private final int maxInFlight;
    private final Semaphore places;

    /**
     * @param opaUrl OPA's base URL, e.g. {@code http://127.0.0.1:8181}
     * @param decisionPath the decision's path under {@code /v1/data/}
     */
    public OpaHttpPolicyEngine(URI opaUrl, String decisionPath, HttpClient http, JsonMapper json, Duration timeout,
            CircuitBreaker breaker, int maxInFlight) {
        Objects.requireNonNull(opaUrl, "opaUrl cannot be null");
        Objects.requireNonNull(decisionPath, "decisionPath cannot be null");
        this.decisionUri = URI.create(opaUrl.toString().replaceAll("/+$", "") + "/v1/data/" + decisionPath);
        this.http = Objects.requireNonNull(http, "http cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
        this.breaker = Objects.requireNonNull(breaker, "breaker cannot be null");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("at least one question to OPA must be allowed in flight, was " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        this.places = new Semaphore(maxInFlight, true); // first come, first asked
    }

    @Override
    public PolicyDecision decide(Map<String, Object> input) throws PolicyException {
        if (!breaker.tryAcquirePermission()) {
            throw new PolicyException(PolicyError.CIRCUIT_OPEN, "circuit breaker open after repeated OPA failures");
        }
        long start = System.nanoTime();
        if (!admitted()) {
            // Our own queue, not an OPA failure: the questions in flight count for the breaker.
            breaker.releasePermission();
            throw new PolicyException(PolicyError.TIMEOUT, maxInFlight + " questions to OPA were in flight and none"
                    + " finished within " + timeout.toMillis() + " ms");
        }
        try {
            PolicyDecision decision = ask(input, remaining(start));
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return decision;
        } catch (PolicyException e) {
            // A policy that answers "undefined" or nonsense is a policy problem, not an outage:
            // it denies, but must not open the circuit for requests the policy answers well.
            if (e.error() == PolicyError.UNDEFINED || e.error() == PolicyError.MALFORMED_DECISION) {
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            } else {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            }
            throw e;
        } catch (CallNotPermittedException e) {
            throw new PolicyException(PolicyError.CIRCUIT_OPEN, "circuit breaker open", e);
        } finally {
            places.release();
        }
    }

    private boolean admitted() throws PolicyException {
        try {
            return places.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            breaker.releasePermission();
            throw new PolicyException(PolicyError.UNREACHABLE, "interrupted while waiting to ask OPA", e);
        }
    }

    /** What is left of the timeout after waiting for a place: the timeout bounds the whole question. */
    private Duration remaining(long start) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), timeout.toNanos() - (System.nanoTime() - start)));
    }

    private PolicyDecision ask(Map<String, Object> input, Duration left) throws PolicyException {
        byte[] body = json.writeValueAsBytes(Map.of("input", input));
        HttpRequest request = HttpRequest.newBuilder(decisionUri)
                .timeout(left)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, BoundedBody.upTo(MAX_ANSWER_BYTES));
        } catch (HttpTimeoutException e) {
            throw new PolicyException(PolicyError.TIMEOUT, "no answer from OPA within " + timeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw new PolicyException(PolicyError.UNREACHABLE, "cannot connect to OPA at " + decisionUri.getAuthority(), e);
        } catch (IOException e) {
            if (BoundedBody.tooLarge(e)) {
                throw new PolicyException(PolicyError.MALFORMED_DECISION, "OPA's answer is larger than " + MAX_ANSWER_BYTES + " bytes", e);
            }
            throw new PolicyException(PolicyError.UNREACHABLE, "OPA connection failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException(PolicyError.UNREACHABLE, "interrupted while waiting for OPA", e);
        }
        if (response.statusCode() != 200) {
            throw new PolicyException(PolicyError.ENGINE_ERROR, "OPA answered HTTP " + response.statusCode());
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
