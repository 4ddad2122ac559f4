package dev.portcullis.authz.identity.jwt;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import com.nimbusds.jose.JWSAlgorithm;

/**
 * How tokens from one issuer are verified. Immutable; validated on construction, with messages that
 * name the bad setting and how to fix it.
 *
 * @param issuer the exact {@code iss} value (from the issuer's OIDC discovery document)
 * @param jwksUri where the issuer publishes its signing keys
 * @param algorithms the signature algorithms accepted from this issuer (an allow-list; never
 *     {@code none} nor an HMAC algorithm, which would let a public key act as a shared secret)
 * @param audiences a token must name at least one of these in {@code aud}
 * @param types accepted {@code typ} header values (compared case-insensitively; Keycloak access
 *     tokens say {@code JWT}, RFC 9068 ones {@code at+jwt})
 * @param clockSkew tolerance for {@code exp}, {@code nbf} and {@code iat}
 * @param subjectClaim the claim that names the subject (e.g. {@code sub}, {@code preferred_username})
 * @param rolesClaim dotted path of the roles array (e.g. {@code realm_access.roles})
 * @param tenants where the token says which tenants its principal belongs to, or {@link TenantsClaim#NONE}
 * @param jwksCacheTtl how long fetched keys are used before they must be fetched again: a key the
 *     issuer removed stops being accepted at most this long after its removal
 * @param jwksMinRefetchInterval the least time between two fetches caused by tokens with an unknown
 *     {@code kid} (a flood of forged kids cannot turn into a flood of fetches)
 * @param introspection token introspection for revocation (RFC 7662), or null when off
 */
public record IssuerSettings(
        String issuer,
        URI jwksUri,
        Set<JWSAlgorithm> algorithms,
        Set<String> audiences,
        Set<String> types,
        Duration clockSkew,
        String subjectClaim,
        String rolesClaim,
        TenantsClaim tenants,
        Duration jwksCacheTtl,
        Duration jwksMinRefetchInterval,
        IntrospectionSettings introspection) {

    /** Asymmetric algorithms only: RSA PKCS#1, RSA-PSS, ECDSA and EdDSA. */
    public static final Set<JWSAlgorithm> SUPPORTED_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.Ed25519, JWSAlgorithm.EdDSA);
    public static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256);
    public static final Set<String> DEFAULT_TYPES = Set.of("JWT", "at+jwt", "application/at+jwt");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** Skew beyond this would make {@code exp} meaningless. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);
    /**
     * The shortest {@code jwks-cache-ttl}: the JWKS client refreshes keys 30 s before the cache
     * expires (Nimbus' refresh-ahead default) and gives a fetch up to 4 s ({@link NimbusJwtVerifier}),
     * and refuses a lifetime shorter than both together.
     */
    public static final Duration MIN_JWKS_CACHE_TTL = Duration.ofSeconds(35);
    public static final Duration DEFAULT_JWKS_MIN_REFETCH_INTERVAL = Duration.ofSeconds(10);

    /**
     * Token introspection settings (RFC 7662).
     *
     * @param endpoint the issuer's introspection endpoint
     * @param clientId the client Portcullis authenticates as
     * @param clientSecret its secret (from the environment, never from a file in the repository)
     * @param cacheTtl how long an "active" answer is reused; never beyond the token's expiry. An
     *     "inactive" answer is final and kept until the token expires.
     */
    public record IntrospectionSettings(URI endpoint, String clientId, String clientSecret, Duration cacheTtl) {
        public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(10);

        public IntrospectionSettings {
            Objects.requireNonNull(endpoint, "introspection endpoint cannot be null");
            requireText(clientId, "introspection client-id");
            requireText(clientSecret, "introspection client-secret (set it through the environment)");
            cacheTtl = cacheTtl == null ? DEFAULT_CACHE_TTL : cacheTtl;
            if (cacheTtl.isNegative() || cacheTtl.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("introspection cache-ttl must be between 0 and 5 minutes, was " + cacheTtl);
            }
        }

        @Override
        public String toString() {
            return "IntrospectionSettings[" + endpoint + ", client " + clientId + ", cache " + cacheTtl + "]";
        }
    }

    /**
     * The claim that lists the tenants a principal belongs to (the field policy lets a caller encrypt
     * or read a tenant's documents only as a member), e.g. Keycloak's group membership mapper with
     * full paths ({@code tenants} claim, prefix {@code /tenants/}), or an organization claim.
     *
     * @param claim dotted path of the claim (an array of strings), or null when the issuer asserts no
     *     tenant membership
     * @param prefix only values starting with it name tenants, with it removed (e.g. {@code /tenants/}
     *     for groups under a {@code tenants} group); empty to take every value
     */
    public record TenantsClaim(String claim, String prefix) {
        public static final TenantsClaim NONE = new TenantsClaim(null, "");
        /** What a tenant is named: the same rule as the field-crypto surfaces ({@code tenant} 1-62 characters). */
        private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,62}");

        public TenantsClaim {
            if (claim != null && claim.isBlank()) {
                claim = null;
            }
            prefix = prefix == null ? "" : prefix;
            if (claim != null && (claim.startsWith(".") || claim.endsWith(".") || claim.contains(".."))) {
                throw new IllegalArgumentException("tenants-claim must be a dotted claim path such as tenants or"
                        + " org.tenants, was '" + claim + "'");
            }
        }

        /** The claim as path segments; empty when the issuer asserts no tenants. */
        public List<String> path() {
            return claim == null ? List.of() : List.of(claim.split("\\."));
        }

        /**
         * The tenant a claim value names, or null when it names none: a value without the prefix
         * (another kind of group), or what follows the prefix is not a tenant name (a subgroup path).
         */
        public String tenantOf(String value) {
            if (!value.startsWith(prefix)) {
                return null;
            }
            String tenant = value.substring(prefix.length());
            return TENANT.matcher(tenant).matches() ? tenant : null;
        }
    }

    public IssuerSettings {
        requireText(issuer, "issuer");
        tenants = tenants == null ? TenantsClaim.NONE : tenants;
        Objects.requireNonNull(jwksUri, "jwksUri cannot be null");
        algorithms = Set.copyOf(algorithms);
        audiences = Set.copyOf(audiences);
        types = Set.copyOf(types);
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("issuer " + issuer + ": algorithms must name at least one algorithm");
        }
        for (JWSAlgorithm algorithm : algorithms) {
            if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("issuer " + issuer + ": algorithm " + algorithm
                        + " is not allowed; use one of " + SUPPORTED_ALGORITHMS);
            }
        }
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("issuer " + issuer + ": audiences must name at least one audience"
                    + " (a token meant for another service must not be accepted)");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("issuer " + issuer + ": clock-skew must be between 0 and "
                    + MAX_CLOCK_SKEW + ", was " + clockSkew);
        }
        requireText(subjectClaim, "subject-claim");
        requireText(rolesClaim, "roles-claim");
        if (jwksCacheTtl.compareTo(MIN_JWKS_CACHE_TTL) < 0 || jwksMinRefetchInterval.isNegative()) {
            throw new IllegalArgumentException("issuer " + issuer + ": jwks-cache-ttl must be at least "
                    + MIN_JWKS_CACHE_TTL + " (was " + jwksCacheTtl + ") and jwks-min-refetch-interval not negative");
        }
        if (jwksMinRefetchInterval.compareTo(jwksCacheTtl) >= 0) {
            // The JWKS client refuses to rate-limit refetches over an interval the cache does not outlive.
            throw new IllegalArgumentException("issuer " + issuer + ": jwks-min-refetch-interval (" + jwksMinRefetchInterval
                    + ") must be shorter than jwks-cache-ttl (" + jwksCacheTtl + ")");
        }
    }

    /**
     * These settings with what discovery found: the issuer, its JWKS URI and, when introspection is
     * wanted, its introspection settings.
     */
    public IssuerSettings withDiscovered(String discoveredIssuer, URI discoveredJwksUri, IntrospectionSettings revocation) {
        return new IssuerSettings(discoveredIssuer, discoveredJwksUri, algorithms, audiences, types, clockSkew,
                subjectClaim, rolesClaim, tenants, jwksCacheTtl, jwksMinRefetchInterval, revocation);
    }

    /** The roles claim as path segments. */
    public List<String> rolesClaimPath() {
        return List.of(rolesClaim.split("\\."));
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set");
        }
    }
}
