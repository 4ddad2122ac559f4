package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

class CachingPolicyEngineTest {

    private static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(10);

    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicReference<PolicyException> failure = new AtomicReference<>();
    private final AtomicReference<Optional<String>> revision = new AtomicReference<>(Optional.of("r1"));
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
    private final PolicyEngine opa = input -> {
        asked.incrementAndGet();
        if (failure.get() != null) {
            throw failure.get();
        }
        return new PolicyDecision(true, 200, List.of("role:order-reader"), Map.of(), null);
    };
    private final CachingPolicyEngine cache =
            new CachingPolicyEngine(opa, revision::get, clock, Duration.ofSeconds(1), 1000,
                    Set.of("X-Request-Id", "traceparent"), IN_FLIGHT_WAIT, JsonMapper.builder().build());

    @Test
    void decideWhenSameInputWithOtherIdAndTimeThenAnswersFromCache() throws Exception {
        cache.decide(input("d-1", 1, "/orders/1"));
        PolicyDecision second = cache.decide(input("d-2", 2, "/orders/1"));

        assertThat(second.allow()).isTrue();
        assertThat(asked).hasValue(1);
    }

    @Test
    void decideWhenOnlyPerRequestHeadersDifferThenAnswersFromCache() throws Exception {
        cache.decide(withHeaders(input("d-1", 1, "/orders/1"), Map.of("x-request-id", "a1", "traceparent", "00-1-01", "accept", "*/*")));
        cache.decide(withHeaders(input("d-2", 2, "/orders/1"), Map.of("x-request-id", "b2", "traceparent", "00-2-01", "accept", "*/*")));

        assertThat(asked).hasValue(1);
    }

    @Test
    void decideWhenAnyOtherHeaderDiffersThenAsksTheEngine() throws Exception {
        cache.decide(withHeaders(input("d-1", 1, "/orders/1"), Map.of("x-request-id", "a1", "x-tenant", "acme")));
        cache.decide(withHeaders(input("d-2", 2, "/orders/1"), Map.of("x-request-id", "a1", "x-tenant", "globex")));

        assertThat(asked).hasValue(2);
    }

    @Test
    void decideWhenPerRequestHeadersAreLeftOutOfTheKeyThenThePolicyStillSeesThem() throws Exception {
        AtomicReference<Map<String, Object>> seen = new AtomicReference<>();
        CachingPolicyEngine recording = new CachingPolicyEngine(input -> {
            seen.set(input);
            return new PolicyDecision(true, 200, List.of("role:order-reader"), Map.of(), null);
        }, revision::get, clock, Duration.ofSeconds(1), 1000, Set.of("x-request-id"), IN_FLIGHT_WAIT,
                JsonMapper.builder().build());

        recording.decide(withHeaders(input("d-1", 1, "/orders/1"), Map.of("x-request-id", "a1")));

        assertThat(seen.get()).extractingByKey("request").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .extractingByKey("headers").isEqualTo(Map.of("x-request-id", "a1"));
    }

    @Test
    void decideWhenInputDiffersThenAsksTheEngine() throws Exception {
        cache.decide(input("d-1", 1, "/orders/1"));
        cache.decide(input("d-2", 2, "/orders/2"));

        assertThat(asked).hasValue(2);
    }

    @Test
    void decideWhenTtlPassedThenAsksAgain() throws Exception {
        cache.decide(input("d-1", 1, "/orders/1"));
        clock.advance(Duration.ofMillis(1001));
        cache.decide(input("d-2", 2, "/orders/1"));

        assertThat(asked).hasValue(2);
    }

    @Test
    void decideWhenPolicyRevisionChangedThenAsksAgain() throws Exception {
        cache.decide(input("d-1", 1, "/orders/1"));
        revision.set(Optional.of("r2"));
        cache.decide(input("d-2", 2, "/orders/1"));

        assertThat(asked).hasValue(2);
    }

    @Test
    void decideWhenRevisionUnknownThenNeverServesCachedDecisions() throws Exception {
        cache.decide(input("d-1", 1, "/orders/1"));
        revision.set(Optional.empty());
        failure.set(new PolicyException(PolicyError.UNREACHABLE, "OPA is down"));

        assertThatThrownBy(() -> cache.decide(input("d-2", 2, "/orders/1")))
                .isInstanceOf(PolicyException.class);

        // Back with the same revision: what was cached before the outage is gone.
        failure.set(null);
        revision.set(Optional.of("r1"));
        cache.decide(input("d-3", 3, "/orders/1"));
        assertThat(asked).hasValue(3);
    }

    @Test
    void lookupsAreCountedAsHitsMissesAndAnswersWithoutARevision() throws Exception {
        cache.decide(input("d-1", 1, "/orders/1"));   // miss: first time
        cache.decide(input("d-2", 2, "/orders/1"));   // hit
        cache.decide(input("d-3", 3, "/orders/2"));   // miss: another input
        clock.advance(Duration.ofMillis(1001));
        cache.decide(input("d-4", 4, "/orders/1"));   // miss: expired
        revision.set(Optional.empty());
        cache.decide(input("d-5", 5, "/orders/1"));   // no revision: asked, nothing served

        assertThat(cache.lookups(CachingPolicyEngine.Lookup.HIT)).isEqualTo(1);
        assertThat(cache.lookups(CachingPolicyEngine.Lookup.MISS)).isEqualTo(3);
        assertThat(cache.lookups(CachingPolicyEngine.Lookup.NO_REVISION)).isEqualTo(1);
        assertThat(asked).hasValue(4);
    }

    @Test
    void decideWhenEngineFailsThenTheFailureIsNotCached() {
        failure.set(new PolicyException(PolicyError.TIMEOUT, "slow"));
        assertThatThrownBy(() -> cache.decide(input("d-1", 1, "/orders/1"))).isInstanceOf(PolicyException.class);
        assertThatThrownBy(() -> cache.decide(input("d-2", 2, "/orders/1"))).isInstanceOf(PolicyException.class);

        assertThat(asked).hasValue(2);
    }

    @Test
    void decideWhenChecksMissOnOneKeyTogetherThenTheEngineIsAskedOnceAndAllShareTheAnswer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CachingPolicyEngine gated = gatedCache(release, null, IN_FLIGHT_WAIT);

        List<Future<PolicyDecision>> answers = askTogether(gated, 16);
        awaitAllBlocked(answers.size());
        release.countDown();

        for (Future<PolicyDecision> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS).reasons()).containsExactly("role:order-reader");
        }
        assertThat(asked).hasValue(1);
    }

    @Test
    void decideWhenTheSharedQuestionFailsThenEveryWaiterFailsWithItsCauseAndNothingIsCached() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CachingPolicyEngine gated = gatedCache(release, new PolicyException(PolicyError.TIMEOUT, "no answer from OPA"),
                IN_FLIGHT_WAIT);

        List<Future<PolicyDecision>> answers = askTogether(gated, 8);
        awaitAllBlocked(answers.size());
        release.countDown();

        for (Future<PolicyDecision> answer : answers) {
            assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PolicyException.class)
                    .satisfies(e -> assertThat(((PolicyException) e).error()).isEqualTo(PolicyError.TIMEOUT));
        }
        assertThat(asked).hasValue(1);
        assertThatThrownBy(() -> gated.decide(input("d-late", 1, "/orders/1"))).isInstanceOf(PolicyException.class);
        assertThat(asked).as("the failure was not remembered").hasValue(2);
    }

    @Test
    void decideWhenTheRevisionIsUnknownThenConcurrentIdenticalChecksStillShareOneFreshAnswerAndNothingIsKept()
            throws Exception {
        revision.set(Optional.empty());
        CountDownLatch release = new CountDownLatch(1);
        CachingPolicyEngine gated = gatedCache(release, null, IN_FLIGHT_WAIT);

        List<Future<PolicyDecision>> answers = askTogether(gated, 8);
        awaitAllBlocked(answers.size());
        release.countDown();
        for (Future<PolicyDecision> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS).allow()).isTrue();
        }
        assertThat(asked).hasValue(1);

        gated.decide(input("d-later", 2, "/orders/1"));
        assertThat(asked).as("an unknown revision keeps nothing").hasValue(2);
    }

    @Test
    void decideWhenTheSharedQuestionOutlastsTheWaitThenTheWaiterTimesOut() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        CachingPolicyEngine gated = gatedCache(never, null, Duration.ofMillis(50));
        List<Future<PolicyDecision>> first = askTogether(gated, 1);
        awaitAllBlocked(1);
        try {
            assertThatThrownBy(() -> gated.decide(input("d-2", 2, "/orders/1")))
                    .isInstanceOf(PolicyException.class)
                    .satisfies(e -> assertThat(((PolicyException) e).error()).isEqualTo(PolicyError.TIMEOUT))
                    .hasMessageContaining("concurrent check");
        } finally {
            never.countDown();
            first.get(0).get(10, TimeUnit.SECONDS);
        }
    }

    /** A cache over an engine that counts, blocks until {@code release}, then answers or throws {@code fails}. */
    private CachingPolicyEngine gatedCache(CountDownLatch release, PolicyException fails, Duration inFlightWait) {
        PolicyEngine gatedOpa = input -> {
            asked.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fails != null) {
                throw fails;
            }
            return new PolicyDecision(true, 200, List.of("role:order-reader"), Map.of(), null);
        };
        return new CachingPolicyEngine(gatedOpa, revision::get, clock, Duration.ofSeconds(1), 1000, Set.of(),
                inFlightWait, JsonMapper.builder().build());
    }

    private final List<Thread> askers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Starts {@code n} checks of one input (each with its own decision id) on their own threads. */
    private List<Future<PolicyDecision>> askTogether(CachingPolicyEngine engine, int n) {
        ExecutorService pool = Executors.newFixedThreadPool(n, runnable -> {
            Thread thread = new Thread(runnable);
            askers.add(thread);
            return thread;
        });
        List<Future<PolicyDecision>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "d-" + i;
            answers.add(pool.submit(() -> engine.decide(input(id, 1, "/orders/1"))));
        }
        pool.shutdown();
        return answers;
    }

    /** Waits until every asker is parked: one in the engine, the others waiting for its answer. */
    private void awaitAllBlocked(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (askers.size() < n || askers.stream().anyMatch(t -> t.getState() != Thread.State.WAITING
                && t.getState() != Thread.State.TIMED_WAITING)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the checks did not all block: " + askers.stream().map(Thread::getState).toList());
            }
            Thread.sleep(5);
        }
        assertThat(asked).as("only one of them reached the engine").hasValue(1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withHeaders(Map<String, Object> input, Map<String, String> headers) {
        ((Map<String, Object>) input.get("request")).put("headers", new LinkedHashMap<>(headers));
        return input;
    }

    private static Map<String, Object> input(String id, long nowNs, String path) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", id);
        request.put("method", "GET");
        request.put("path", path);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("request", request);
        input.put("principal", Map.of("subject", "alice", "roles", List.of("order-reader")));
        input.put("now_ns", nowNs);
        return input;
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
