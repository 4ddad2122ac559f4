package dev.portcullis.authz.identity.jwt;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.portcullis.authz.identity.AuthenticationException;

/** Tells whether a token whose signature and claims verified has since been revoked by its issuer. */
@FunctionalInterface
public interface RevocationChecker {

    /** A checker for issuers without revocation: every verified token stands until it expires. */
    RevocationChecker NONE = (token, digest, claims) -> { };

    /**
     * {@code digest} is {@code token}'s, which the verifier has already computed for its own
     * cache: a checker that remembers answers keys them by it instead of hashing the token again.
     *
     * @throws AuthenticationException {@code REVOKED} when it was revoked, {@code ISSUER_UNAVAILABLE}
     *     when the issuer could not tell (fail closed)
     */
    void requireNotRevoked(String token, TokenDigest digest, JWTClaimsSet claims) throws AuthenticationException;

    /** As {@link #requireNotRevoked(String, TokenDigest, JWTClaimsSet)}, computing the digest. */
    default void requireNotRevoked(String token, JWTClaimsSet claims) throws AuthenticationException {
        requireNotRevoked(token, TokenDigest.of(token), claims);
    }
}
