package dev.portcullis.authz.identity;

import java.util.Locale;

/**
 * Why a presented credential was rejected. Stable codes (metric labels, audit reasons); each maps
 * to the RFC 6750 error a client is told in {@code WWW-Authenticate} and a generic description
 * that reveals nothing an attacker could use.
 */
public enum AuthenticationFailure {
    MALFORMED_AUTHORIZATION_HEADER("invalid_request", "the Authorization header is not a single Bearer token"),
    TOKEN_TOO_LARGE("invalid_token", "the token is too large"),
    MALFORMED_TOKEN("invalid_token", "the token is malformed"),
    UNSIGNED_TOKEN("invalid_token", "unsigned tokens are not accepted"),
    ENCRYPTED_TOKEN("invalid_token", "encrypted tokens are not accepted"),
    UNTRUSTED_ISSUER("invalid_token", "the token's issuer is not trusted"),
    ALGORITHM_NOT_ALLOWED("invalid_token", "the token's signing algorithm is not allowed"),
    FORBIDDEN_HEADER("invalid_token", "the token names its own verification key, which is not accepted"),
    UNKNOWN_KEY("invalid_token", "the token was not signed by a key of its issuer"),
    BAD_SIGNATURE("invalid_token", "the token's signature is invalid"),
    WRONG_TYPE("invalid_token", "the token is not an access token"),
    EXPIRED("invalid_token", "the token has expired"),
    NOT_YET_VALID("invalid_token", "the token is not valid yet"),
    WRONG_AUDIENCE("invalid_token", "the token is not meant for this service"),
    MISSING_CLAIM("invalid_token", "the token lacks a required claim"),
    REVOKED("invalid_token", "the token has been revoked"),
    ISSUER_UNAVAILABLE("invalid_token", "the token's issuer cannot be reached to verify it"),
    MALFORMED_CERTIFICATE("invalid_client_certificate", "the client certificate is malformed"),
    UNTRUSTED_CERTIFICATE("invalid_client_certificate", "the client certificate is not issued by a trusted authority"),
    EXPIRED_CERTIFICATE("invalid_client_certificate", "the client certificate has expired or is not valid yet"),
    REVOKED_CERTIFICATE("invalid_client_certificate", "the client certificate has been revoked"),
    REVOCATION_UNKNOWN("invalid_client_certificate", "the revocation status of the client certificate is unknown"),
    BAD_SPIFFE_ID("invalid_client_certificate", "the client certificate has no acceptable SPIFFE ID"),
    UNTRUSTED_FORWARDER("invalid_client_certificate", "a forwarded client certificate was sent by an untrusted peer");

    private final String oauthError;
    private final String description;

    AuthenticationFailure(String oauthError, String description) {
        this.oauthError = oauthError;
        this.description = description;
    }

    /** The RFC 6750 error code (or ours, for certificates) for {@code WWW-Authenticate}. */
    public String oauthError() {
        return oauthError;
    }

    /** A description safe to show to the client. */
    public String description() {
        return description;
    }

    /** The stable label, e.g. {@code bad_signature}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean concernsCertificate() {
        return oauthError.equals("invalid_client_certificate");
    }
}
