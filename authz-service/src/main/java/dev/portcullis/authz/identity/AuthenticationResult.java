package dev.portcullis.authz.identity;

/**
 * The outcome of authenticating one check: a verified principal (possibly {@link Principal#ANONYMOUS}
 * when no credential was presented), or the rejection of a credential that was presented.
 */
public sealed interface AuthenticationResult {

    record Authenticated(Principal principal) implements AuthenticationResult {
    }

    record Rejected(AuthenticationException cause) implements AuthenticationResult {
    }
}
