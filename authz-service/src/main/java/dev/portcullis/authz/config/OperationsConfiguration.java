package dev.portcullis.authz.config;

import java.net.http.HttpClient;
import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import dev.portcullis.authz.identity.jwt.NimbusJwtVerifier;
import dev.portcullis.authz.ops.CheckRequestObservations;
import dev.portcullis.authz.ops.JwksHealthIndicator;
import dev.portcullis.authz.ops.JwksMetrics;
import dev.portcullis.authz.ops.OpaHealthIndicator;

/** Health indicators and metrics that are not part of the decision path itself. */
@Configuration(proxyBeanMethods = false)
class OperationsConfiguration {

    @Bean
    JwksMetrics jwksEvents(MeterRegistry registry, Clock clock) {
        return new JwksMetrics(registry, clock);
    }

    @Bean
    CheckRequestObservations checkRequestObservations() {
        return new CheckRequestObservations();
    }

    @Bean
    OpaHealthIndicator opaHealthIndicator(PortcullisProperties properties, HttpClient http, CircuitBreaker opaCircuitBreaker) {
        return new OpaHealthIndicator(properties.opa().url(), http, opaCircuitBreaker);
    }

    @Bean
    JwksHealthIndicator jwksHealthIndicator(NimbusJwtVerifier verifier, JwksMetrics jwksEvents) {
        return new JwksHealthIndicator(verifier, jwksEvents);
    }
}
