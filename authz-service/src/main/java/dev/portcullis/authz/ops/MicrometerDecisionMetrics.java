package dev.portcullis.authz.ops;

import java.time.Duration;
import java.util.Objects;

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
 */
public final class MicrometerDecisionMetrics implements DecisionListener {

    private final MeterRegistry registry;
    private final Timer.Builder latency;

    public MicrometerDecisionMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry cannot be null");
        this.latency = Timer.builder("portcullis.authz.decision.latency")
                .description("Time to answer a check: authentication, policy and durable audit")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(2));
    }

    @Override
    public void decided(CheckContext context, Decision decision, Duration elapsed) {
        String protocol = context == null ? "unknown" : context.protocol().label();
        String outcome = decision.allow() ? "allow" : switch (decision.code()) {
            case POLICY_ERROR, AUDIT_ERROR -> "error";
            default -> "deny";
        };
        Counter.builder("portcullis.authz.decisions")
                .description("Decisions answered, by outcome")
                .baseUnit("decisions")
                .tag("outcome", outcome)
                .tag("code", decision.code().label())
                .tag("reason_class", reasonClass(decision))
                .tag("protocol", protocol)
                .register(registry)
                .increment();
        latency.tag("outcome", outcome).register(registry).record(elapsed);
    }

    private static String reasonClass(Decision decision) {
        if (decision.reasons().isEmpty()) {
            return "none";
        }
        String first = decision.reasons().get(0);
        int colon = first.indexOf(':');
        String head = colon < 0 ? first : first.substring(0, colon);
        return head.length() > 32 || !head.matches("[a-z_]+") ? "other" : head;
    }
}
