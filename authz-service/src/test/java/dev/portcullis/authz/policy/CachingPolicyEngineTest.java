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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

class CachingPolicyEngineTest {

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
                    Set.of("X-Request-Id", "traceparent"), JsonMapper.builder().build());

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
        }, revision::get, clock, Duration.ofSeconds(1), 1000, Set.of("x-request-id"), JsonMapper.builder().build());

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
    void decideWhenEngineFailsThenTheFailureIsNotCached() {
        failure.set(new PolicyException(PolicyError.TIMEOUT, "slow"));
        assertThatThrownBy(() -> cache.decide(input("d-1", 1, "/orders/1"))).isInstanceOf(PolicyException.class);
        assertThatThrownBy(() -> cache.decide(input("d-2", 2, "/orders/1"))).isInstanceOf(PolicyException.class);

        assertThat(asked).hasValue(2);
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
