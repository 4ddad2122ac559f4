package dev.portcullis.authz.identity.jwt;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.portcullis.authz.identity.AuthenticationException;

/** Tells whether a token whose signature and claims verified has since been revoked by its issuer. */
@FunctionalInterface
public interface RevocationChecker {

    /** A checker for issuers without revocation: every verified token stands until it expires. */
    RevocationChecker NONE = (token, claims) -> { };

    /**
     * @throws AuthenticationException {@code REVOKED} when it was revoked, {@code ISSUER_UNAVAILABLE}
     *     when the issuer could not tell (fail closed)
     */
    void requireNotRevoked(String token, JWTClaimsSet claims) throws AuthenticationException;
}
