package dev.portcullis.authz.ops;

import java.util.Map;
import java.util.Objects;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.portcullis.authz.identity.jwt.NimbusJwtVerifier;

/**
 * Health of token verification: every trusted issuer resolved and its keys fetched at least once,
 * the last fetch successful. Down when an issuer's keys cannot be obtained (its tokens are then
 * rejected: fail closed).
 */
public final class JwksHealthIndicator implements HealthIndicator {

    private final NimbusJwtVerifier verifier;
    private final JwksMetrics fetches;

    public JwksHealthIndicator(NimbusJwtVerifier verifier, JwksMetrics fetches) {
        this.verifier = Objects.requireNonNull(verifier, "verifier cannot be null");
        this.fetches = Objects.requireNonNull(fetches, "fetches cannot be null");
    }

    @Override
    public Health health() {
        Map<String, JwksMetrics.LastFetch> last = fetches.lastFetches();
        boolean up = true;
        Health.Builder builder = Health.up();
        for (String issuer : verifier.issuers()) {
            JwksMetrics.LastFetch fetch = last.get(issuer);
            if (fetch == null) {
                // Not fetched yet: try now, so that health reflects reachability from the start.
                Map<String, String> failures = verifier.warmUp();
                fetch = fetches.lastFetches().get(issuer);
                if (fetch == null && failures.containsKey(issuer)) {
                    fetch = new JwksMetrics.LastFetch(false, null, 0, failures.get(issuer));
                }
            }
            if (fetch == null || !fetch.ok()) {
                up = false;
                builder.withDetail(issuer, fetch == null ? "unknown" : "failed: " + fetch.error());
            } else {
                builder.withDetail(issuer, fetch.keys() + " keys, fetched " + fetch.at());
            }
        }
        return (up ? builder : builder.down()).build();
    }
}
