package dev.portcullis.authz.identity.jwt;

import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.Principal;

/** Verifies a bearer JWT and says who it speaks for, or why it is rejected. */
@FunctionalInterface
public interface JwtVerifier {

    /**
     * Verifies {@code token} (signature first, then claims) and returns the principal it proves.
     *
     * @throws AuthenticationException naming the {@link dev.portcullis.authz.identity.AuthenticationFailure}
     */
    Principal verify(String token) throws AuthenticationException;
}
