package dev.portcullis.authz.config;

import java.net.http.HttpClient;
import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Primary;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import dev.portcullis.authz.policy.CachingPolicyEngine;
import dev.portcullis.authz.policy.OpaHttpPolicyEngine;
import dev.portcullis.authz.policy.OpaRevisionWatcher;
import dev.portcullis.authz.policy.PolicyEngine;
import tools.jackson.databind.json.JsonMapper;

/** Wires the OPA client with its timeout and circuit breaker. */
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

    @Bean(destroyMethod = "close")
    @ConditionalOnBooleanProperty("portcullis.opa.decision-cache.enabled")
    OpaRevisionWatcher opaRevisionWatcher(PortcullisProperties properties, HttpClient http) {
        PortcullisProperties.DecisionCache cache = properties.opa().decisionCache();
        return new OpaRevisionWatcher(properties.opa().url(), cache.dataPaths(), http, cache.revisionPollInterval(),
                cache.policyPollInterval(), cache.revisionMaxAge());
    }

    /** The engine the pipeline asks: OPA itself, or OPA behind the decision cache when that option is on. */
    @Bean
    @Primary
    PolicyEngine policyEngine(PortcullisProperties properties, OpaHttpPolicyEngine opa, JsonMapper json, Clock clock,
            ObjectProvider<OpaRevisionWatcher> watcher) {
        PortcullisProperties.DecisionCache cache = properties.opa().decisionCache();
        OpaRevisionWatcher revisions = watcher.getIfAvailable();
        if (!cache.enabled() || revisions == null) {
            return opa;
        }
        return new CachingPolicyEngine(opa, revisions::revision, clock, cache.ttl(), cache.maxEntries(),
                java.util.Set.copyOf(cache.perRequestHeaders()), properties.opa().timeout().plus(IN_FLIGHT_MARGIN), json);
    }
}
