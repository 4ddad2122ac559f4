package dev.portcullis.authz.ops;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionListener;

/**
 * Decision metrics: {@code portcullis.authz.decisions} (count, by outcome, decision code, reason
 * class and protocol) and {@code portcullis.authz.decision.latency} (a histogram of the whole
 * check, audit included). The reason class is the part of the first reason before ':' (e.g.
 * {@code role}, {@code missing_role}, {@code authn}, {@code blocked}), which keeps label
 * cardinality bounded whatever the policy says.
 *
 * <p>Every check records into meters looked up once per label combination and kept here: building
 * a meter (tags sorted, ids hashed, the registry's map searched) on every check cost more CPU than
 * recording into it (docs/benchmarks.md, "where the time goes").
 */
public final class MicrometerDecisionMetrics implements DecisionListener {

    /**
     * How many label combinations are remembered here. The labels are bounded (outcome, code and
     * protocol are enums; the reason class is {@code [a-z_]{1,32}} from the policy), but a policy
     * that invents reason classes must not grow this map without end: past the bound a counter is
     * looked up in the registry as before, which is slower but correct.
     */
    static final int MAX_REMEMBERED_COUNTERS = 1024;

    private final MeterRegistry registry;
    private final Timer allowLatency;
    private final Timer denyLatency;
    private final Timer errorLatency;
    private final ConcurrentMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

    private record CounterKey(String outcome, String code, String reasonClass, String protocol) {
    }

    public MicrometerDecisionMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry cannot be null");
        this.allowLatency = latency("allow");
        this.denyLatency = latency("deny");
        this.errorLatency = latency("error");
    }

    private Timer latency(String outcome) {
        return Timer.builder("portcullis.authz.decision.latency")
                .description("Time to answer a check: authentication, policy and durable audit")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void decided(CheckContext context, Decision decision, Duration elapsed) {
        String protocol = context == null ? "unknown" : context.protocol().label();
        String outcome = decision.allow() ? "allow" : switch (decision.code()) {
            case POLICY_ERROR, AUDIT_ERROR, INTERNAL_ERROR -> "error";
            default -> "deny";
        };
        counter(new CounterKey(outcome, decision.code().label(), reasonClass(decision), protocol)).increment();
        Timer latency = decision.allow() ? allowLatency : outcome.equals("error") ? errorLatency : denyLatency;
        latency.record(elapsed.toNanos(), TimeUnit.NANOSECONDS);
    }

    private Counter counter(CounterKey key) {
        Counter known = counters.get(key);
        if (known != null) {
            return known;
        }
        Counter counter = Counter.builder("portcullis.authz.decisions")
                .description("Decisions answered, by outcome")
                .baseUnit("decisions")
                .tag("outcome", key.outcome())
                .tag("code", key.code())
                .tag("reason_class", key.reasonClass())
                .tag("protocol", key.protocol())
                .register(registry);
        if (counters.size() < MAX_REMEMBERED_COUNTERS) {
            counters.putIfAbsent(key, counter);
        }
        return counter;
    }

    static String reasonClass(Decision decision) {
        if (decision.reasons().isEmpty()) {
            return "none";
        }
        String first = decision.reasons().get(0);
        int colon = first.indexOf(':');
        int end = colon < 0 ? first.length() : colon;
        if (end == 0 || end > 32) {
            return "other";
        }
        for (int i = 0; i < end; i++) {
            char c = first.charAt(i);
            if (!(c >= 'a' && c <= 'z') && c != '_') {
                return "other";
            }
        }
        return first.substring(0, end);
    }
}
