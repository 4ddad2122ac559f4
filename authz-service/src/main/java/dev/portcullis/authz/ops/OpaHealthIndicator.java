package dev.portcullis.authz.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** Health of the policy engine: OPA's own {@code /health}, and the state of our circuit breaker. */
public final class OpaHealthIndicator implements HealthIndicator {

    private final URI health;
    private final HttpClient http;
    private final CircuitBreaker breaker;

    public OpaHealthIndicator(URI opaUrl, HttpClient http, CircuitBreaker breaker) {
        this.health = URI.create(Objects.requireNonNull(opaUrl, "opaUrl cannot be null").toString().replaceAll("/+$", "") + "/health");
        this.http = Objects.requireNonNull(http, "http cannot be null");
        this.breaker = Objects.requireNonNull(breaker, "breaker cannot be null");
    }

    @Override
    public Health health() {
        Health.Builder builder;
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            builder = response.statusCode() == 200 ? Health.up() : Health.down().withDetail("status", response.statusCode());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            builder = Health.down().withDetail("error", e.getClass().getSimpleName());
        }
        return builder.withDetail("url", health.toString()).withDetail("circuit", breaker.getState().name()).build();
    }
}
