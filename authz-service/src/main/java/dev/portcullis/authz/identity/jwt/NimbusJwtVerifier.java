package dev.portcullis.authz.identity.jwt;

import java.io.IOException;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import dev.portcullis.authz.identity.AuthMethod;
import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.identity.Principal;

/**
 * Verifies JWT bearer tokens from several trusted issuers with Nimbus JOSE+JWT: signature first,
 * against keys fetched from the issuer's JWKS (cached, refreshed before expiry, refetched on an
 * unknown {@code kid} at most once per {@link IssuerSettings#jwksMinRefetchInterval()}), then
 * claims ({@link ClaimsValidator}), then revocation where the issuer supports introspection.
 *
 * <p>Rejected before any key is looked up: tokens over the size limit, unsigned ({@code alg: none})
 * and encrypted tokens, tokens from an issuer not configured here, algorithms outside the issuer's
 * allow-list (which stops HMAC tokens keyed with a public key), tokens that name their own key
 * ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}), {@code kid}s with characters no key id
 * needs, and the wrong {@code typ}.
 */
public final class NimbusJwtVerifier implements JwtVerifier {

    /** The default size limit of a token, in characters; real access tokens are far smaller. */
    public static final int DEFAULT_MAX_TOKEN_LENGTH = 8 * 1024;
    private static final Pattern SAFE_KID = Pattern.compile("[A-Za-z0-9._~:+/=-]{1,128}");
    private static final Duration RESOLVE_RETRY_INTERVAL = Duration.ofSeconds(5);
    private static final int JWKS_HTTP_TIMEOUT_MS = 2_000;
    private static final int JWKS_SIZE_LIMIT = 256 * 1024;
    /** Tokens whose signature was verified (see {@link #verified}). */
    private static final int VERIFIED_CACHE_SIZE = 10_000;
    private static final Duration VERIFIED_CACHE_MAX_AGE = Duration.ofMinutes(5);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** The most UTF-16 units of a rejected token's claimed subject that its audit keeps. */
    private static final int MAX_CLAIMED_SUBJECT_LENGTH = 128;

    private final Map<String, TrustedIssuer> issuers;
    private final int maxTokenLength;
    private final Clock clock;
    private final JwksEvents events;
    /**
     * Tokens whose signature verified and whose claims were valid, under the SHA-256 of the token,
     * with the issuer that verified them and the version of its key set at the time. A hit skips
     * parsing and the signature check, nothing else: the claims (expiry) and revocation are checked
     * on every use, and a change of the issuer's key set (a key added or removed) makes every earlier
     * entry stale, so a removed key stops counting at the same moment as without the cache. What
     * the entry skips is a function of the token's exact text and of this verifier's fixed
     * configuration (size, {@code alg}, {@code typ}, forbidden headers, {@code kid}, issuer), so a
     * token that differs in one character is a miss.
     */
    private final Cache<TokenDigest, VerifiedToken> verified = Caffeine.newBuilder()
            .maximumSize(VERIFIED_CACHE_SIZE)
            .expireAfterWrite(VERIFIED_CACHE_MAX_AGE)
            .build();

    /**
     * @param sources the trusted issuers (at least one)
     * @param revocation how revocation is checked per issuer ({@code issuer -> checker})
     */
    public NimbusJwtVerifier(Collection<IssuerSource> sources,
            java.util.function.Function<IssuerSettings, RevocationChecker> revocation,
            int maxTokenLength, Clock clock, JwksEvents events) {
        Objects.requireNonNull(sources, "sources cannot be null");
        Objects.requireNonNull(revocation, "revocation cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.events = Objects.requireNonNull(events, "events cannot be null");
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted issuer must be configured");
        }
        if (maxTokenLength < 512) {
            throw new IllegalArgumentException("maxTokenLength must be at least 512, was " + maxTokenLength);
        }
        this.maxTokenLength = maxTokenLength;
        Map<String, TrustedIssuer> map = new LinkedHashMap<>();
        for (IssuerSource source : sources) {
            if (map.put(source.issuer(), new TrustedIssuer(source, revocation)) != null) {
                throw new IllegalArgumentException("issuer " + source.issuer() + " is configured twice");
            }
        }
        this.issuers = Map.copyOf(map);
    }

    /** The issuers this verifier trusts. */
    public Set<String> issuers() {
        return issuers.keySet();
    }

    /** Resolves every issuer now (discovery, first JWKS fetch); returns those that failed, with why. */
    public Map<String, String> warmUp() {
        Map<String, String> failures = new LinkedHashMap<>();
        issuers.forEach((name, issuer) -> {
            try {
                issuer.resolved().warmUp();
            } catch (AuthenticationException | RuntimeException e) {
                failures.put(name, e.getMessage());
            }
        });
        return failures;
    }

    @Override
    public Principal verify(String token) throws AuthenticationException {
        if (token.length() > maxTokenLength) {
            throw new AuthenticationException(AuthenticationFailure.TOKEN_TOO_LARGE,
                    "token of " + token.length() + " characters exceeds the limit of " + maxTokenLength);
        }
        TokenDigest digest = TokenDigest.of(token);
        VerifiedToken known = verified.getIfPresent(digest);
        if (known != null) {
            try {
                Principal principal = known.issuer().reuse(known, token, digest);
                if (principal != null) {
                    return principal;
                }
            } catch (AuthenticationException e) {
                throw e.claimedSubject() == null ? e.withClaimedSubject(claimedSubject(known.claims())) : e;
            }
        }
        String misspelling = CompactSpelling.problem(token);
        if (misspelling != null) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_TOKEN, misspelling);
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_TOKEN, "token does not parse: " + e.getMessage());
        }
        if (jwt instanceof PlainJWT) {
            throw new AuthenticationException(AuthenticationFailure.UNSIGNED_TOKEN, "alg none", claimedSubject(jwt), null);
        }
        if (jwt instanceof EncryptedJWT) {
            throw new AuthenticationException(AuthenticationFailure.ENCRYPTED_TOKEN, "JWE where a JWS is expected");
        }
        SignedJWT signed = (SignedJWT) jwt;
        String claimed = claimedSubject(signed);
        JWSHeader header = signed.getHeader();
        if (header.getJWKURL() != null || header.getX509CertURL() != null || header.getJWK() != null
                || header.getX509CertChain() != null) {
            throw new AuthenticationException(AuthenticationFailure.FORBIDDEN_HEADER,
                    "token carries jku/x5u/jwk/x5c", claimed, null);
        }
        if (header.getKeyID() != null && !SAFE_KID.matcher(header.getKeyID()).matches()) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_TOKEN,
                    "kid has characters outside [A-Za-z0-9._~:+/=-] or is too long", claimed, null);
        }
        String issuerName;
        try {
            issuerName = signed.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_TOKEN, "the claims do not parse: " + e.getMessage());
        }
        TrustedIssuer issuer = issuerName == null ? null : issuers.get(issuerName);
        if (issuer == null) {
            throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_ISSUER, "issuer not configured", claimed, null);
        }
        try {
            return issuer.resolved().verify(token, signed, digest);
        } catch (AuthenticationException e) {
            throw e.claimedSubject() == null ? e.withClaimedSubject(claimed) : e;
        }
    }

    /** The subject an unverified token claims, for the audit of its rejection; bounded in size. */
    private static String claimedSubject(JWT jwt) {
        try {
            return claimedSubject(jwt.getJWTClaimsSet());
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    private static String claimedSubject(JWTClaimsSet claims) {
        try {
            Object name = claims.getClaim("preferred_username");
            String subject = name instanceof String s ? s : claims.getSubject();
            if (subject == null) {
                return null;
            }
            return auditable(subject);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A claimed subject as the audit of a rejection can record it: whole characters only, at
     * most {@value #MAX_CLAIMED_SUBJECT_LENGTH} UTF-16 units. Why: the audit log refuses a string
     * that is not Unicode text (it has no canonical form), and an unverified token's JSON can
     * spell a lone surrogate (the escape &#92;ud800 is enough) or put a pair across the cut;
     * either would make the audit of every such rejection fail. A pair that does not fit is left
     * out whole, a lone surrogate dropped.
     */
    static String auditable(String claimed) {
        StringBuilder kept = new StringBuilder(Math.min(claimed.length(), MAX_CLAIMED_SUBJECT_LENGTH));
        for (int i = 0; i < claimed.length(); i++) {
            char c = claimed.charAt(i);
            if (!Character.isSurrogate(c)) {
                if (kept.length() == MAX_CLAIMED_SUBJECT_LENGTH) {
                    break;
                }
                kept.append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < claimed.length()
                    && Character.isLowSurrogate(claimed.charAt(i + 1))) {
                if (kept.length() + 2 > MAX_CLAIMED_SUBJECT_LENGTH) {
                    break;
                }
                kept.append(c).append(claimed.charAt(++i));
            }
        }
        return kept.toString();
    }

    /** An issuer whose settings are resolved lazily and retried at most every few seconds. */
    private final class TrustedIssuer {
        private final IssuerSource source;
        private final java.util.function.Function<IssuerSettings, RevocationChecker> revocation;
        private volatile ResolvedIssuer resolved;
        private volatile Instant nextAttempt = Instant.MIN;
        private volatile String lastFailure = "not resolved yet";

        TrustedIssuer(IssuerSource source, java.util.function.Function<IssuerSettings, RevocationChecker> revocation) {
            this.source = source;
            this.revocation = revocation;
        }

        ResolvedIssuer resolved() throws AuthenticationException {
            ResolvedIssuer current = resolved;
            if (current != null) {
                return current;
            }
            synchronized (this) {
                if (resolved != null) {
                    return resolved;
                }
                Instant now = clock.instant();
                if (now.isBefore(nextAttempt)) {
                    throw new AuthenticationException(AuthenticationFailure.ISSUER_UNAVAILABLE,
                            "issuer " + source.issuer() + " unavailable: " + lastFailure);
                }
                try {
                    IssuerSettings settings = source.resolve();
                    resolved = new ResolvedIssuer(settings, revocation.apply(settings));
                    return resolved;
                } catch (IOException | RuntimeException e) {
                    lastFailure = e.getMessage();
                    nextAttempt = now.plus(RESOLVE_RETRY_INTERVAL);
                    events.fetchFailed(source.issuer(), e instanceof Exception ex ? ex : new IOException(e));
                    throw new AuthenticationException(AuthenticationFailure.ISSUER_UNAVAILABLE,
                            "issuer " + source.issuer() + " unavailable: " + lastFailure);
                }
            }
        }
    }

    /** One issuer with its processor: the JWKS source, the key selector, the claims validator. */
    private final class ResolvedIssuer {
        private final IssuerSettings settings;
        private final JWKSource<SecurityContext> keys;
        private final DefaultJWTProcessor<SecurityContext> processor;
        private final ClaimsValidator claims;
        private final RevocationChecker revocation;
        private final Set<String> types;
        /** Whether the last fetch of the keys succeeded (a refetch the rate limit refused is no fetch). */
        private volatile boolean lastFetchOk;
        private final AtomicLong keySetVersion = new AtomicLong();
        private volatile String keySetFingerprint = "";

        ResolvedIssuer(IssuerSettings settings, RevocationChecker revocation) {
            this.settings = settings;
            this.revocation = revocation;
            this.claims = new ClaimsValidator(settings, clock);
            Set<String> lower = new HashSet<>();
            settings.types().forEach(t -> lower.add(t.toLowerCase(Locale.ROOT)));
            this.types = Set.copyOf(lower);
            try {
                this.keys = JWKSourceBuilder.<SecurityContext>create(settings.jwksUri().toURL(),
                                new DefaultResourceRetriever(JWKS_HTTP_TIMEOUT_MS, JWKS_HTTP_TIMEOUT_MS, JWKS_SIZE_LIMIT))
                        .cache(settings.jwksCacheTtl().toMillis(), JWKS_HTTP_TIMEOUT_MS * 2L, event -> {
                            if (event instanceof CachingJWKSetSource.RefreshCompletedEvent<SecurityContext> done) {
                                lastFetchOk = true;
                                noteKeySet(done.getJWKSet());
                                events.fetched(settings.issuer(), done.getJWKSet().size());
                            } else if (event instanceof CachingJWKSetSource.UnableToRefreshEvent<SecurityContext>) {
                                events.fetchFailed(settings.issuer(), new IOException("JWKS refresh failed"));
                            }
                        })
                        .rateLimited(Math.max(1, settings.jwksMinRefetchInterval().toMillis()))
                        .retrying(true)
                        .build();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("jwks_uri of " + settings.issuer() + " is not a URL", e);
            }
            this.processor = new DefaultJWTProcessor<>();
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(), keys));
            // typ and claims are checked by us (each failure gets its own stable code).
            processor.setJWSTypeVerifier((type, context) -> { });
            processor.setJWTClaimsSetVerifier((claimsSet, context) -> { });
        }

        private void noteKeySet(JWKSet set) {
            List<String> keys = new ArrayList<>();
            for (JWK key : set.getKeys()) {
                try {
                    keys.add(key.getKeyID() + "=" + key.computeThumbprint());
                } catch (JOSEException e) {
                    keys.add(key.getKeyID() + "=?" + key.toJSONString().hashCode());
                }
            }
            keys.sort(null);
            String fingerprint = String.join(",", keys);
            if (!fingerprint.equals(keySetFingerprint)) {
                keySetFingerprint = fingerprint;
                keySetVersion.incrementAndGet();
            }
        }

        void warmUp() throws AuthenticationException {
            try {
                keys.get(new com.nimbusds.jose.jwk.JWKSelector(new com.nimbusds.jose.jwk.JWKMatcher.Builder().build()), null);
            } catch (RateLimitReachedException e) {
                throw rateLimited();
            } catch (KeySourceException e) {
                throw unavailable(e);
            }
        }

        /**
         * A refetch the rate limit refused: after a good fetch, the kid is simply not one of the
         * issuer's keys (a flood of forged kids must not look like an outage in the audit, the
         * metrics or the health); after a failed fetch, the issuer is still unavailable.
         */
        private AuthenticationException rateLimited() {
            return lastFetchOk
                    ? new AuthenticationException(AuthenticationFailure.UNKNOWN_KEY,
                            "kid is not among the keys of " + settings.issuer() + " (refetch rate-limited)")
                    : new AuthenticationException(AuthenticationFailure.ISSUER_UNAVAILABLE,
                            "JWKS of " + settings.issuer() + " unavailable (refetch rate-limited)");
        }

        /** A fetch that failed; Nimbus emits no event for it, so it is reported here (metrics, health). */
        private AuthenticationException unavailable(KeySourceException e) {
            lastFetchOk = false;
            events.fetchFailed(settings.issuer(), e);
            return new AuthenticationException(AuthenticationFailure.ISSUER_UNAVAILABLE,
                    "JWKS of " + settings.issuer() + " unavailable: " + e.getMessage());
        }

        /**
         * The principal of a token this issuer verified before ({@link #verified}), after checking
         * its claims and revocation again; {@code null} when it must be verified afresh because the
         * key set changed since or no longer holds its key.
         */
        Principal reuse(VerifiedToken known, String token, TokenDigest digest) throws AuthenticationException {
            long version = keySetVersion.get();
            // Asking the key source for the token's key is what expires and refreshes the cached key
            // set, so a key the issuer removed stops counting as it would without the cache (and a
            // refresh that changed the set bumps the version).
            if (known.keySetVersion() != version || !stillPublished(known.header()) || keySetVersion.get() != version) {
                return null;
            }
            requireValidClaims(known.claims());
            revocation.requireNotRevoked(token, digest, known.claims());
            return known.principal();
        }

        Principal verify(String token, SignedJWT jwt, TokenDigest digest) throws AuthenticationException {
            JWSHeader header = jwt.getHeader();
            if (!settings.algorithms().contains(header.getAlgorithm())) {
                throw new AuthenticationException(AuthenticationFailure.ALGORITHM_NOT_ALLOWED,
                        "algorithm " + header.getAlgorithm() + " not allowed for " + settings.issuer());
            }
            JOSEObjectType type = header.getType();
            if (type == null || !types.contains(type.getType().toLowerCase(Locale.ROOT))) {
                throw new AuthenticationException(AuthenticationFailure.WRONG_TYPE,
                        "typ " + (type == null ? "absent" : type.getType()) + " is not accepted");
            }
            // The version read before verifying: a key set that changed meanwhile makes the entry stale.
            long version = keySetVersion.get();
            JWTClaimsSet claimsSet = verifySignature(jwt);
            requireValidClaims(claimsSet);
            Principal principal = principal(digest, claimsSet);
            verified.put(digest, new VerifiedToken(this, header, claimsSet, principal, version));
            revocation.requireNotRevoked(token, digest, claimsSet);
            return principal;
        }

        private void requireValidClaims(JWTClaimsSet claimsSet) throws AuthenticationException {
            AuthenticationFailure failure = claims.validate(claimsSet);
            if (failure != null) {
                throw new AuthenticationException(failure, "claims rejected: " + failure.label());
            }
        }

        /** Whether the issuer's current key set (refreshed by the key source as due) still holds the token's key. */
        private boolean stillPublished(JWSHeader header) throws AuthenticationException {
            try {
                return !keys.get(new com.nimbusds.jose.jwk.JWKSelector(com.nimbusds.jose.jwk.JWKMatcher.forJWSHeader(header)),
                        null).isEmpty();
            } catch (RateLimitReachedException e) {
                throw rateLimited();
            } catch (KeySourceException e) {
                throw unavailable(e);
            }
        }

        private JWTClaimsSet verifySignature(SignedJWT jwt) throws AuthenticationException {
            try {
                return processor.process(jwt, null);
            } catch (BadJWSException e) {
                throw new AuthenticationException(AuthenticationFailure.BAD_SIGNATURE, e.getMessage());
            } catch (RateLimitReachedException e) {
                throw rateLimited();
            } catch (KeySourceException e) {
                throw unavailable(e);
            } catch (BadJOSEException e) {
                // The algorithm was checked above, so the key selector found no key with this kid.
                throw new AuthenticationException(AuthenticationFailure.UNKNOWN_KEY, e.getMessage());
            } catch (JOSEException e) {
                throw new AuthenticationException(AuthenticationFailure.BAD_SIGNATURE, e.getMessage());
            }
        }

        private Principal principal(TokenDigest digest, JWTClaimsSet claims) {
            String subject = (String) claims.getClaim(settings.subjectClaim());
            String clientId = firstString(claims, "azp", "client_id");
            Instant expires = claims.getExpirationTime().toInstant();
            String jti = claims.getJWTID();
            String tokenId = jti != null ? jti : digest.tokenId();
            String sessionId = firstString(claims, "sid");
            return new Principal(true, subject, clientId, settings.issuer(), Set.copyOf(roles(claims)),
                    tenants(claims), Set.copyOf(scopes(claims)), null, tokenId, sessionId, expires, List.of(AuthMethod.JWT));
        }

        private List<String> roles(JWTClaimsSet claims) {
            return strings(claimAt(claims, settings.rolesClaimPath()));
        }

        /** The tenants the configured claim names; values that name no tenant (other groups) are left out. */
        private Set<String> tenants(JWTClaimsSet claims) {
            IssuerSettings.TenantsClaim tenants = settings.tenants();
            if (tenants.claim() == null) {
                return Set.of();
            }
            Set<String> out = new HashSet<>();
            for (String value : strings(claimAt(claims, tenants.path()))) {
                String tenant = tenants.tenantOf(value);
                if (tenant != null) {
                    out.add(tenant);
                }
            }
            return out;
        }

        /** The claim at a dotted path, or null when a segment is missing or not an object. */
        private static Object claimAt(JWTClaimsSet claims, List<String> path) {
            Object node = claims.getClaims();
            for (String segment : path) {
                if (!(node instanceof Map<?, ?> map)) {
                    return null;
                }
                node = map.get(segment);
            }
            return node;
        }

        private List<String> scopes(JWTClaimsSet claims) {
            Object scope = claims.getClaim("scope");
            if (scope instanceof String s) {
                return List.of(WHITESPACE.split(s.trim()));
            }
            return strings(claims.getClaim("scp"));
        }
    }

    /**
     * A token whose signature verified under {@code issuer}'s key set of version
     * {@code keySetVersion} and whose claims were valid then, with the principal it stands for.
     */
    private record VerifiedToken(ResolvedIssuer issuer, JWSHeader header, JWTClaimsSet claims, Principal principal,
            long keySetVersion) {
    }

    private static List<String> strings(Object node) {
        if (!(node instanceof Collection<?> collection)) {
            return List.of();
        }
        List<String> out = new ArrayList<>(collection.size());
        for (Object o : collection) {
            if (o instanceof String s && !s.isBlank()) {
                out.add(s);
            }
        }
        return out;
    }

    private static String firstString(JWTClaimsSet claims, String... names) {
        for (String name : names) {
            if (claims.getClaim(name) instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return null;
    }

}
