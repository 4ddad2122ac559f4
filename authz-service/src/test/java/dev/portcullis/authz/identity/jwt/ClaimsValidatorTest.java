package dev.portcullis.authz.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;

import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.testing.TestTokens;

/** The claims of a token whose signature verified: exact issuer, audience, time with bounded skew, subject, type. */
class ClaimsValidatorTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration SKEW = Duration.ofSeconds(30);

    private final ClaimsValidator validator = new ClaimsValidator(settings(), Clock.fixed(NOW, ZoneOffset.UTC));

    static IssuerSettings settings() {
        return new IssuerSettings(TestTokens.ISSUER, URI.create("http://127.0.0.1:1/jwks"), Set.of(JWSAlgorithm.RS256),
                Set.of(TestTokens.AUDIENCE), IssuerSettings.DEFAULT_TYPES, SKEW, "preferred_username", "realm_access.roles",
                IssuerSettings.TenantsClaim.NONE, IssuerSettings.DEFAULT_JWKS_CACHE_TTL, IssuerSettings.DEFAULT_JWKS_MIN_REFETCH_INTERVAL, null);
    }

    private static TestTokens.Builder token() {
        return TestTokens.signedWith(TestTokens.ecKey("k"), NOW);
    }

    private AuthenticationFailure validate(TestTokens.Builder token) {
        JWTClaimsSet claims = token.claims();
        return validator.validate(claims);
    }

    @Test
    void validateWhenEverythingIsRightThenNoFailure() {
        assertThat(validate(token())).isNull();
    }

    @Test
    void validateWhenIssuerDiffersEvenByATrailingSlashThenUntrustedIssuer() {
        assertThat(validate(token().issuer(TestTokens.ISSUER + "/"))).isEqualTo(AuthenticationFailure.UNTRUSTED_ISSUER);
        assertThat(validate(token().issuer(TestTokens.ISSUER.toUpperCase()))).isEqualTo(AuthenticationFailure.UNTRUSTED_ISSUER);
        assertThat(validate(token().issuer(null))).isEqualTo(AuthenticationFailure.UNTRUSTED_ISSUER);
    }

    @Test
    void validateWhenExpiredWithinTheSkewThenAccepted() {
        assertThat(validate(token().expiresAt(NOW.minus(SKEW)))).isNull();
    }

    @Test
    void validateWhenExpiredBeyondTheSkewThenExpired() {
        assertThat(validate(token().expiresAt(NOW.minus(SKEW).minusSeconds(1)))).isEqualTo(AuthenticationFailure.EXPIRED);
    }

    @Test
    void validateWhenExpiryIsMissingThenMissingClaim() {
        assertThat(validate(token().expiresAt(null))).isEqualTo(AuthenticationFailure.MISSING_CLAIM);
    }

    @Test
    void validateWhenNotBeforeIsWithinTheSkewThenAccepted() {
        assertThat(validate(token().notBefore(NOW.plus(SKEW)))).isNull();
    }

    @Test
    void validateWhenNotBeforeIsBeyondTheSkewThenNotYetValid() {
        assertThat(validate(token().notBefore(NOW.plus(SKEW).plusSeconds(1)))).isEqualTo(AuthenticationFailure.NOT_YET_VALID);
    }

    @Test
    void validateWhenIssuedInTheFutureBeyondTheSkewThenNotYetValid() {
        assertThat(validate(token().issuedAt(NOW.plus(SKEW).plusSeconds(1)))).isEqualTo(AuthenticationFailure.NOT_YET_VALID);
        assertThat(validate(token().issuedAt(NOW.plus(SKEW)))).isNull();
    }

    @Test
    void validateWhenAudienceIsAnotherServiceThenWrongAudience() {
        assertThat(validate(token().audience("billing-api"))).isEqualTo(AuthenticationFailure.WRONG_AUDIENCE);
    }

    @Test
    void validateWhenAudienceIsMissingThenWrongAudience() {
        assertThat(validate(token().without("aud"))).isEqualTo(AuthenticationFailure.WRONG_AUDIENCE);
    }

    @Test
    void validateWhenOneOfSeveralAudiencesIsOursThenAccepted() {
        assertThat(validate(token().audience("account", TestTokens.AUDIENCE))).isNull();
    }

    @Test
    void validateWhenSubjectClaimIsMissingOrBlankThenMissingClaim() {
        assertThat(validate(token().without("preferred_username"))).isEqualTo(AuthenticationFailure.MISSING_CLAIM);
        assertThat(validate(token().claim("preferred_username", " "))).isEqualTo(AuthenticationFailure.MISSING_CLAIM);
        assertThat(validate(token().claim("preferred_username", 42))).isEqualTo(AuthenticationFailure.MISSING_CLAIM);
    }

    @Test
    void validateWhenKeycloakTypeClaimSaysIdOrRefreshThenWrongType() {
        assertThat(validate(token().claim("typ", "ID"))).isEqualTo(AuthenticationFailure.WRONG_TYPE);
        assertThat(validate(token().claim("typ", "Refresh"))).isEqualTo(AuthenticationFailure.WRONG_TYPE);
        assertThat(validate(token().claim("typ", "Logout"))).isEqualTo(AuthenticationFailure.WRONG_TYPE);
    }

    @Test
    void validateWhenTypeClaimIsBearerOrAbsentThenAccepted() {
        assertThat(validate(token().claim("typ", "Bearer"))).isNull();
        assertThat(validate(token().without("typ"))).isNull();
    }
}
