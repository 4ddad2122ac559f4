package dev.portcullis.authz.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.portcullis.authz.identity.jwt.JwksEvents;

/**
 * Counts JWKS fetches per issuer ({@code portcullis.identity.jwks.fetches}, by result) and keeps the
 * last outcome of each for the health indicator.
 */
public final class JwksMetrics implements JwksEvents {

    /** The last fetch of one issuer's keys. */
    public record LastFetch(boolean ok, Instant at, int keys, String error) {
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, LastFetch> last = new ConcurrentHashMap<>();

    public JwksMetrics(MeterRegistry registry, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    @Override
    public void fetched(String issuer, int keys) {
        count(issuer, "ok");
        last.put(issuer, new LastFetch(true, clock.instant(), keys, null));
    }

    @Override
    public void fetchFailed(String issuer, Exception cause) {
        count(issuer, "failed");
        last.put(issuer, new LastFetch(false, clock.instant(), 0, cause.getMessage()));
    }

    public Map<String, LastFetch> lastFetches() {
        return Map.copyOf(last);
    }

    private void count(String issuer, String result) {
        Counter.builder("portcullis.identity.jwks.fetches")
                .description("Fetches of trusted issuers' signing keys")
                .tag("issuer", issuer)
                .tag("result", result)
                .register(registry)
                .increment();
    }
}
