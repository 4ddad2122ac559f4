package dev.portcullis.authz.identity;

import java.util.Objects;

/**
 * A presented credential was rejected. Carries the stable {@link AuthenticationFailure}, a detail
 * for the service's own log (never shown to the client, never containing the credential), and
 * whatever the credential claimed about its subject if that could be read (for the audit event).
 */
public final class AuthenticationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final AuthenticationFailure failure;
    private final String claimedSubject;

    public AuthenticationException(AuthenticationFailure failure, String detail) {
        this(failure, detail, null, null);
    }

    public AuthenticationException(AuthenticationFailure failure, String detail, String claimedSubject, Throwable cause) {
        super(detail, cause, false, false);
        this.failure = Objects.requireNonNull(failure, "failure cannot be null");
        this.claimedSubject = claimedSubject;
    }

    public AuthenticationFailure failure() {
        return failure;
    }

    /** The subject the rejected credential claimed, unverified; null if it could not be read. */
    public String claimedSubject() {
        return claimedSubject;
    }

    public AuthenticationException withClaimedSubject(String subject) {
        return new AuthenticationException(failure, getMessage(), subject, getCause());
    }
}
