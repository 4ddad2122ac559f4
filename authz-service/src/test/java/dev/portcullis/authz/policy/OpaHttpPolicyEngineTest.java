package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import tools.jackson.databind.json.JsonMapper;

/** The client's own logic against a stand-in for OPA's data API (the real OPA is in the ITs). */
class OpaHttpPolicyEngineTest {

    private static final String ALLOW = "{\"result\":{\"allow\":true,\"status\":200,\"reasons\":[\"role:order-reader\"],"
            + "\"headers\":{}}}";

    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpenAtOnce = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer opa;

    /** A stand-in that counts questions and answers each only once the test releases them. */
    private URI startHeldOpa() throws IOException, PolicyException {
        opa = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        opa.setExecutor(Executors.newCachedThreadPool());
        opa.createContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().startsWith("/warm-up/")) {
                received.incrementAndGet();
                mostOpenAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max);
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    open.decrementAndGet();
                }
            }
            byte[] bytes = ALLOW.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        opa.start();
        URI url = URI.create("http://127.0.0.1:" + opa.getAddress().getPort());
        // The client's first request in a JVM pays for its set-up; not while a short timeout runs.
        engine(URI.create(url + "/warm-up"), Duration.ofSeconds(20), CircuitBreaker.ofDefaults("warm-up"), 1)
                .decide(Map.of());
        return url;
    }

    @AfterEach
    void stop() {
        release.countDown();
        callers.shutdownNow();
        if (opa != null) {
            opa.stop(0);
        }
    }

    private OpaHttpPolicyEngine engine(URI url, Duration timeout, CircuitBreaker breaker, int maxInFlight) {
        return new OpaHttpPolicyEngine(url, OpaHttpPolicyEngine.AUTHZ_DECISION_PATH, http,
                JsonMapper.builder().build(), timeout, breaker, maxInFlight);
    }

    @Test
    void whenMaxInFlightQuestionsAreOpenTheNextCheckWaitsAndIsDeniedAtTheTimeoutWithoutReachingOpa() throws Exception {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("opa-test");
        OpaHttpPolicyEngine engine = engine(startHeldOpa(), Duration.ofSeconds(20), breaker, 2);
        List<Future<PolicyDecision>> open = List.of(callers.submit(() -> engine.decide(Map.of("n", 1))),
                callers.submit(() -> engine.decide(Map.of("n", 2))));
        awaitReceived(2);

        Future<PolicyDecision> third = callers.submit(() -> engine.decide(Map.of("n", 3)));
        Thread.sleep(200); // long enough for a third question to reach the stand-in if it were sent
        assertThat(received).as("the third check is held back, not sent").hasValue(2);

        release.countDown();
        for (Future<PolicyDecision> answer : open) {
            assertThat(answer.get(10, TimeUnit.SECONDS).allow()).isTrue();
        }
        assertThat(third.get(10, TimeUnit.SECONDS).allow()).as("admitted once a place was free").isTrue();
        assertThat(received).hasValue(3);
        assertThat(mostOpenAtOnce).hasValue(2);
    }

    @Test
    void aQueuedCheckSpendsItsWaitOutOfItsOwnTimeoutAndIsDeniedWhenItRunsOut() throws Exception {
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("opa-test");
        OpaHttpPolicyEngine engine = engine(startHeldOpa(), Duration.ofMillis(500), breaker, 1);
        Future<PolicyDecision> holding = callers.submit(() -> engine.decide(Map.of("n", 1)));
        awaitReceived(1);
        Thread.sleep(100);

        // Admitted only when the held question gives up, with what is left of its own 500 ms.
        assertThatThrownBy(() -> engine.decide(Map.of("n", 2)))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).error()).isEqualTo(PolicyError.TIMEOUT));
        assertThatThrownBy(() -> holding.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(PolicyException.class);
        // (The stand-in cannot tell when a client gave up, so it cannot count open questions here.)
        assertThat(received).as("the queued check was sent only once the place was free, or not at all").hasValueBetween(1, 2);
    }

    @Test
    void atLeastOnePlaceIsRequired() {
        assertThatThrownBy(() -> engine(URI.create("http://127.0.0.1:1"), Duration.ofSeconds(1),
                CircuitBreaker.ofDefaults("opa-test"), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one question");
    }

    private void awaitReceived(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stand-in received " + received.get() + " of " + n + " questions");
            }
            Thread.sleep(5);
        }
    }
}
