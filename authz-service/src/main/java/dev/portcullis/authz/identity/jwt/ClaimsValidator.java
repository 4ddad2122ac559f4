package dev.portcullis.authz.identity.jwt;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.portcullis.authz.identity.AuthenticationFailure;

/**
 * Checks the claims of a token whose signature already verified (RFC 7519 §4.1, RFC 9068): exact
 * issuer, a required audience, {@code exp} required and {@code nbf}/{@code iat} honoured within a
 * bounded clock skew, a subject, and not an ID or refresh token. Returns the first failure, or
 * null when the claims are acceptable.
 */
final class ClaimsValidator {

    private final IssuerSettings settings;
    private final Clock clock;

    ClaimsValidator(IssuerSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    AuthenticationFailure validate(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Duration skew = settings.clockSkew();
        if (!settings.issuer().equals(claims.getIssuer())) {
            return AuthenticationFailure.UNTRUSTED_ISSUER;
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return AuthenticationFailure.MISSING_CLAIM;
        }
        if (now.isAfter(exp.toInstant().plus(skew))) {
            return AuthenticationFailure.EXPIRED;
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant().minus(skew))) {
            return AuthenticationFailure.NOT_YET_VALID;
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
            return AuthenticationFailure.NOT_YET_VALID;
        }
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(settings.audiences()::contains)) {
            return AuthenticationFailure.WRONG_AUDIENCE;
        }
        Object subject = claims.getClaim(settings.subjectClaim());
        if (!(subject instanceof String s) || s.isBlank()) {
            return AuthenticationFailure.MISSING_CLAIM;
        }
        // Keycloak marks its tokens with a "typ" claim: only access ("Bearer") tokens grant access,
        // never ID or refresh tokens that happen to verify.
        Object typ = claims.getClaim("typ");
        if (typ != null && !"bearer".equals(String.valueOf(typ).toLowerCase(Locale.ROOT))) {
            return AuthenticationFailure.WRONG_TYPE;
        }
        return null;
    }
}
