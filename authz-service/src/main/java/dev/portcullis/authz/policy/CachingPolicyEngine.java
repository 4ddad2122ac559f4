package dev.portcullis.authz.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import tools.jackson.databind.json.JsonMapper;

/**
 * Remembers decisions for a short time, keyed by the policy/data revision and the input (without
 * the decision id and the clock). Off by default; an option measured in docs/benchmarks.md.
 *
 * <p>Correctness bounds, stated so an operator can choose: a change of policy or of the watched
 * data documents takes effect for cached inputs within one poll of the {@link OpaRevisionWatcher};
 * a time-dependent rule (a block-list entry that expires) may be answered from a decision made up
 * to {@code ttl} earlier. Errors are never cached, and while the revision is unknown (OPA
 * unreachable) nothing cached is served, so an engine outage is still a deny on every request.
 * Revocation and key changes are unaffected: authentication runs before the policy on every request.
 */
public final class CachingPolicyEngine implements PolicyEngine {

    private final PolicyEngine delegate;
    private final Supplier<Optional<String>> revision;
    private final Clock clock;
    private final Duration ttl;
    private final JsonMapper json;
    private final Cache<String, Cached> decisions;

    private record Cached(PolicyDecision decision, Instant until) {
    }

    public CachingPolicyEngine(PolicyEngine delegate, Supplier<Optional<String>> revision, Clock clock, Duration ttl,
            int maxEntries, JsonMapper json) {
        this.delegate = Objects.requireNonNull(delegate, "delegate cannot be null");
        this.revision = Objects.requireNonNull(revision, "revision cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.ttl = Objects.requireNonNull(ttl, "ttl cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        if (ttl.isNegative() || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("decision cache ttl must be between 0 and 60 s, was " + ttl);
        }
        this.decisions = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).build();
    }

    @Override
    public PolicyDecision decide(Map<String, Object> input) throws PolicyException {
        Optional<String> current = revision.get();
        if (current.isEmpty()) {
            decisions.invalidateAll();
            return delegate.decide(input);
        }
        String key = key(current.get(), input);
        Instant now = clock.instant();
        Cached cached = decisions.getIfPresent(key);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.decision();
        }
        PolicyDecision decision = delegate.decide(input);
        decisions.put(key, new Cached(decision, now.plus(ttl)));
        return decision;
    }

    @SuppressWarnings("unchecked")
    private String key(String revision, Map<String, Object> input) {
        Map<String, Object> stable = new LinkedHashMap<>(input);
        stable.remove("now_ns");
        Object request = stable.get("request");
        if (request instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
            copy.remove("id");
            stable.put("request", copy);
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(revision.getBytes(StandardCharsets.US_ASCII));
            digest.update(json.writeValueAsBytes(stable));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
