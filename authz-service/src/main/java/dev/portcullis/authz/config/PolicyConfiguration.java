package dev.portcullis.authz.config;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import dev.portcullis.authz.policy.CachingPolicyEngine;
import dev.portcullis.authz.policy.OpaHttpPolicyEngine;
import dev.portcullis.authz.policy.OpaRevisionWatcher;
import dev.portcullis.authz.policy.PolicyEngine;
import dev.portcullis.authz.policy.WasmPolicyBundle;
import dev.portcullis.authz.policy.WasmPolicyEngine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

/** Wires the OPA client with its timeout and circuit breaker, and the optional in-process engine and decision cache. */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

    /** A check waiting for a question another check asked: OPA's timeout plus this, for scheduling. */
    private static final Duration IN_FLIGHT_MARGIN = Duration.ofMillis(500);

    @Bean
    CircuitBreaker opaCircuitBreaker(PortcullisProperties properties) {
        PortcullisProperties.Opa opa = properties.opa();
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(opa.circuitFailureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(opa.circuitWindow())
                .minimumNumberOfCalls(Math.max(1, opa.circuitWindow() / 2))
                .waitDurationInOpenState(opa.circuitOpenFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build();
        return CircuitBreaker.of("opa", config);
    }

    @Bean
    OpaHttpPolicyEngine opaPolicyEngine(PortcullisProperties properties, HttpClient http, JsonMapper json,
            CircuitBreaker opaCircuitBreaker) {
        Duration timeout = properties.opa().timeout();
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalStateException("portcullis.opa.timeout must be between 1ms and 10s, was " + timeout);
        }
        return new OpaHttpPolicyEngine(properties.opa().url(), OpaHttpPolicyEngine.AUTHZ_DECISION_PATH, http, json,
                timeout, opaCircuitBreaker, properties.opa().maxInFlight());
    }

    /** What OPA serves, followed for the decision cache and the in-process engine, when either is on. */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("${portcullis.opa.decision-cache.enabled:false} or ${portcullis.opa.wasm.enabled:false}")
    OpaRevisionWatcher opaRevisionWatcher(PortcullisProperties properties) {
        PortcullisProperties.DecisionCache cache = properties.opa().decisionCache();
        return OpaRevisionWatcher.withOwnClient(properties.opa().url(), cache.dataPaths(),
                cache.revisionPollInterval(), cache.policyPollInterval(), cache.revisionMaxAge());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnBooleanProperty("portcullis.opa.wasm.enabled")
    WasmPolicyEngine wasmPolicyEngine(PortcullisProperties properties, OpaHttpPolicyEngine opa, JsonMapper json,
            OpaRevisionWatcher watcher, MeterRegistry registry) throws IOException {
        PortcullisProperties.Wasm wasm = properties.opa().wasm();
        if (wasm.bundle() == null) {
            throw new IllegalStateException("portcullis.opa.wasm.bundle must name the policy's Wasm bundle"
                    + " (bin/lib/policy-wasm.sh builds it) when portcullis.opa.wasm.enabled is true");
        }
        int instances = wasm.instances() > 0 ? wasm.instances() : Runtime.getRuntime().availableProcessors();
        WasmPolicyEngine engine = new WasmPolicyEngine(
                WasmPolicyBundle.read(wasm.bundle(), OpaHttpPolicyEngine.AUTHZ_DECISION_PATH),
                watcher::snapshot, opa, json, instances,
                wasm.instanceWait() != null ? wasm.instanceWait() : properties.opa().timeout(), wasm.warmUpEvaluations());
        FunctionCounter.builder("portcullis.policy.wasm.decisions", engine, WasmPolicyEngine::inProcess)
                .description("Decisions with the in-process engine on: made in-process, or handed to OPA and why")
                .tag("by", "wasm").tag("reason", "in_process").register(registry);
        for (WasmPolicyEngine.Handoff reason : WasmPolicyEngine.Handoff.values()) {
            FunctionCounter.builder("portcullis.policy.wasm.decisions", engine, e -> e.handedToOpa(reason))
                    .description("Decisions with the in-process engine on: made in-process, or handed to OPA and why")
                    .tag("by", "opa").tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        FunctionCounter.builder("portcullis.policy.wasm.decisions", engine, WasmPolicyEngine::timedOut)
                .description("Decisions with the in-process engine on: made in-process, or handed to OPA and why")
                .tag("by", "none").tag("reason", "no_instance_in_time").register(registry);
        return engine;
    }

    /**
     * The engine the pipeline asks: OPA itself, or the in-process module that asks OPA whenever it
     * cannot answer for it, and either behind the decision cache when that option is on.
     */
    @Bean
    @Primary
    PolicyEngine policyEngine(PortcullisProperties properties, OpaHttpPolicyEngine opa, JsonMapper json, Clock clock,
            ObjectProvider<OpaRevisionWatcher> watcher, ObjectProvider<WasmPolicyEngine> wasm, MeterRegistry registry) {
        PolicyEngine engine = wasm.getIfAvailable(() -> null);
        if (engine == null) {
            engine = opa;
        }
        PortcullisProperties.DecisionCache cache = properties.opa().decisionCache();
        OpaRevisionWatcher revisions = watcher.getIfAvailable();
        if (!cache.enabled() || revisions == null) {
            return engine;
        }
        CachingPolicyEngine cached = new CachingPolicyEngine(engine, revisions::revision, clock, cache.ttl(),
                cache.maxEntries(), Set.copyOf(cache.perRequestHeaders()),
                properties.opa().timeout().plus(IN_FLIGHT_MARGIN), json);
        for (CachingPolicyEngine.Lookup lookup : CachingPolicyEngine.Lookup.values()) {
            FunctionCounter.builder("portcullis.policy.decision.cache.lookups", cached, c -> c.lookups(lookup))
                    .description("Decision cache lookups: answered from the cache, or the engine asked and why")
                    .tag("result", lookup.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        return cached;
    }
}
