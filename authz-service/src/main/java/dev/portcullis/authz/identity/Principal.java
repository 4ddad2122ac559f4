package dev.portcullis.authz.identity;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who is asking, as verified: the subject and client from a token, the SPIFFE ID from a
 * certificate, or both; or nobody ({@link #ANONYMOUS}). Never holds a credential: {@code tokenId}
 * is the token's {@code jti} or a hash of the token.
 *
 * @param authenticated false only for {@link #ANONYMOUS}
 * @param subject the token's subject (as configured per issuer), or null
 * @param clientId the OAuth client the token was issued to ({@code azp}/{@code client_id}), or null
 * @param issuer the token's issuer, or null
 * @param roles roles granted by the issuer (e.g. Keycloak realm roles)
 * @param tenants tenants the issuer says the principal belongs to (its configured tenants claim)
 * @param scopes OAuth scopes of the token
 * @param spiffeId the SPIFFE ID of the verified client certificate, or null
 * @param tokenId the token's id for audit and replay detection, or null
 * @param sessionId the issuer's session id ({@code sid}), or null
 * @param expiresAt when the token expires, or null
 * @param methods how the principal authenticated
 */
public record Principal(
        boolean authenticated,
        String subject,
        String clientId,
        String issuer,
        Set<String> roles,
        Set<String> tenants,
        Set<String> scopes,
        String spiffeId,
        String tokenId,
        String sessionId,
        Instant expiresAt,
        List<AuthMethod> methods) {

    public static final Principal ANONYMOUS =
            new Principal(false, null, null, null, Set.of(), Set.of(), Set.of(), null, null, null, null, List.of());

    public Principal {
        roles = Set.copyOf(roles);
        tenants = Set.copyOf(tenants);
        scopes = Set.copyOf(scopes);
        methods = List.copyOf(methods);
    }

    /** This principal with a verified workload identity added (a token and a certificate together). */
    public Principal withWorkload(String verifiedSpiffeId, AuthMethod method) {
        List<AuthMethod> all = new java.util.ArrayList<>(methods);
        all.add(method);
        return new Principal(true, subject, clientId, issuer, roles, tenants, scopes, verifiedSpiffeId, tokenId,
                sessionId, expiresAt, all);
    }

    /** A principal known only by its certificate. */
    public static Principal workload(String spiffeId, AuthMethod method) {
        return new Principal(true, null, null, null, Set.of(), Set.of(), Set.of(), spiffeId, null, null, null, List.of(method));
    }
}
