package dev.portcullis.authz.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.portcullis.authz.concurrent.SingleFlight;
import dev.portcullis.authz.digest.Sha256;

import tools.jackson.databind.json.JsonMapper;

/**
 * Remembers decisions for a short time, keyed by the policy/data revision and the input (without
 * the decision id, the clock and the configured per-request headers). Off by default; an option
 * measured in docs/benchmarks.md. The revision supplier MUST name a revision afresh each time it
 * changes ({@link OpaRevisionWatcher#revision()}), never by its content alone: a decision
 * asked for under one revision may come from the next one (OPA changed before the watcher's next
 * poll), and a revision named by its content comes back whenever OPA returns to that state,
 * bringing the misfiled decision back with it.
 *
 * <p>Why per-request headers are left out of the key: proxies stamp every request with its own id
 * or trace context ({@code x-request-id}, {@code traceparent}, ...), so a key that included them
 * would never repeat and the cache would only add cost. They still reach the policy; the
 * operator's side of the bargain, as for the decision id and the clock, is that the policy does not
 * base its decision on them ({@code policies/authz} does not read request headers at all).
 *
 * <p>Correctness bounds, stated so an operator can choose: a change of policy or of the watched
 * data documents takes effect for cached inputs within one poll of the {@link OpaRevisionWatcher};
 * a time-dependent rule (a block-list entry that expires) may be answered from a decision made up
 * to {@code ttl} earlier. Errors are never cached, and while the revision is unknown (OPA
 * unreachable) nothing cached is served, so an engine outage is still a deny on every request.
 * Revocation and key changes are unaffected: authentication runs before the policy on every request.
 *
 * <p>One question per key at a time, also while the revision is unknown (then nothing is kept): checks that miss on the same key while the engine is being
 * asked wait for that answer and share it, or its failure, instead of each asking the engine. A
 * proxy opening with a burst of one client's requests (or an entry expiring under load) otherwise
 * sent hundreds of identical questions to OPA at once; OPA fell behind, they timed out, the
 * circuit breaker opened and every check was denied (docs/benchmarks.md, authz run 6).
 */
public final class CachingPolicyEngine implements PolicyEngine {

    /**
     * What a lookup found, counted for the operator (a cache that never hits only adds cost; one
     * that bypasses means the revision of OPA's policy and data is unknown).
     */
    public enum Lookup {
        /** Answered from the cache. */
        HIT,
        /** Not cached, or expired: the engine was asked (or the same question in flight was joined). */
        MISS,
        /** The revision was unknown: nothing cached was served, the engine was asked. */
        NO_REVISION
    }

    /** Stands in for the revision in the in-flight key while it is unknown; no revision is spelled so. */
    private static final String UNKNOWN_REVISION = "unknown";

    private final PolicyEngine delegate;
    private final Supplier<Optional<String>> revision;
    private final Clock clock;
    private final Duration ttl;
    private final JsonMapper json;
    private final Cache<String, Cached> decisions;
    private final Set<String> perRequestHeaders;
    private final Duration inFlightWait;
    private final SingleFlight<String, PolicyDecision> inFlight = new SingleFlight<>();
    private final Map<Lookup, LongAdder> lookups = new EnumMap<>(Lookup.class);

    private record Cached(PolicyDecision decision, Instant until) {
    }

    /**
     * @param revision what OPA serves now, named afresh at each change
     *     ({@link OpaRevisionWatcher#revision()}); empty while unknown
     * @param inFlightWait how long a check waits for the same question asked by another check: the
     *     engine's own timeout and a margin for scheduling
     */
    public CachingPolicyEngine(PolicyEngine delegate, Supplier<Optional<String>> revision, Clock clock, Duration ttl,
            int maxEntries, Set<String> perRequestHeaders, Duration inFlightWait, JsonMapper json) {
        this.delegate = Objects.requireNonNull(delegate, "delegate cannot be null");
        this.revision = Objects.requireNonNull(revision, "revision cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.ttl = Objects.requireNonNull(ttl, "ttl cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        this.inFlightWait = Objects.requireNonNull(inFlightWait, "inFlightWait cannot be null");
        this.perRequestHeaders = lowerCased(Objects.requireNonNull(perRequestHeaders, "perRequestHeaders cannot be null"));
        if (ttl.isNegative() || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("decision cache ttl must be between 0 and 60 s, was " + ttl);
        }
        this.decisions = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).build();
        for (Lookup lookup : Lookup.values()) {
            lookups.put(lookup, new LongAdder());
        }
    }

    /** How many lookups since start found {@code lookup}. */
    public long lookups(Lookup lookup) {
        return lookups.get(lookup).sum();
    }

    @Override
    public PolicyDecision decide(Map<String, Object> input) throws PolicyException {
        Optional<String> current = revision.get();
        if (current.isEmpty()) {
            // Nothing cached is served or kept, but identical questions asked at the same moment
            // still share one fresh answer: a stall that outlasts the revision's age must not
            // turn into a flood of identical questions at OPA (docs/benchmarks.md, authz run 8).
            decisions.invalidateAll();
            lookups.get(Lookup.NO_REVISION).increment();
            return askOnce(key(UNKNOWN_REVISION, input), () -> delegate.decide(input));
        }
        String key = key(current.get(), input);
        Instant now = clock.instant();
        Cached cached = decisions.getIfPresent(key);
        if (cached != null && now.isBefore(cached.until())) {
            lookups.get(Lookup.HIT).increment();
            return cached.decision();
        }
        lookups.get(Lookup.MISS).increment();
        return askOnce(key, () -> {
            PolicyDecision decision = delegate.decide(input);
            decisions.put(key, new Cached(decision, now.plus(ttl)));
            return decision;
        });
    }

    private PolicyDecision askOnce(String key, SingleFlight.Call<PolicyDecision, PolicyException> ask)
            throws PolicyException {
        try {
            return inFlight.call(key, inFlightWait, ask);
        } catch (SingleFlight.SharedCallFailed e) {
            if (e.getCause() instanceof PolicyException failed) {
                throw new PolicyException(failed.error(), failed.getMessage(), failed);
            }
            throw new PolicyException(e.timedOut() ? PolicyError.TIMEOUT : PolicyError.ENGINE_ERROR,
                    "the same question, asked by a concurrent check: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private String key(String revision, Map<String, Object> input) {
        Map<String, Object> stable = new LinkedHashMap<>(input);
        stable.remove("now_ns");
        Object request = stable.get("request");
        if (request instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
            copy.remove("id");
            if (copy.get("headers") instanceof Map<?, ?> headers && !perRequestHeaders.isEmpty()) {
                Map<String, Object> kept = new LinkedHashMap<>((Map<String, Object>) headers);
                kept.keySet().removeAll(perRequestHeaders);
                copy.put("headers", kept);
            }
            stable.put("request", copy);
        }
        MessageDigest digest = Sha256.newDigest();
        digest.update(revision.getBytes(StandardCharsets.US_ASCII));
        digest.update(json.writeValueAsBytes(stable));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Header names arrive lower-cased in the input (see {@code RequestHeaders}); so are these. */
    private static Set<String> lowerCased(Set<String> names) {
        Set<String> lower = new HashSet<>();
        for (String name : names) {
            lower.add(name.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(lower);
    }
}
