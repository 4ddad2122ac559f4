package dev.portcullis.authz.identity;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.identity.jwt.JwtVerifier;
import dev.portcullis.authz.identity.mtls.ClientCertificateVerifier;
import dev.portcullis.authz.identity.mtls.ForwardedClientCertificate;
import dev.portcullis.authz.identity.mtls.VerifiedCertificate;

/**
 * Turns the credentials of a check into a {@link Principal}: a bearer token (JWT), a client
 * certificate (on Portcullis' own listener, or forwarded by a trusted proxy), both, or neither
 * (anonymous). A credential that is presented and fails is a rejection, never a fallback to
 * anonymous.
 *
 * <p>Who the TLS peer of Portcullis is decides what to believe: a peer whose verified SPIFFE ID is
 * a configured trusted proxy may forward the end client's certificate (and address); any other
 * peer's certificate is the caller's own identity, and a certificate it claims to forward is a
 * forgery attempt and rejected. A trusted proxy's forwarded certificate is believed only on the
 * protocols whose proxy writes that header itself rather than passing on the client's: Envoy
 * (which sanitizes {@code x-forwarded-client-cert} by default) and the decision API; nginx's
 * {@code auth_request} and Traefik's forwardAuth hand Portcullis the client's own headers, so there
 * the header is believed only where the operator says the proxy sets it.
 */
public final class IdentityResolver {

    private static final String BEARER = "bearer ";

    /** Where a trusted proxy's {@code x-forwarded-client-cert} is believed unless configured otherwise. */
    public static final Set<Protocol> DEFAULT_FORWARDING_PROTOCOLS =
            Set.of(Protocol.ENVOY_HTTP, Protocol.ENVOY_GRPC, Protocol.DECISION_API);

    private final JwtVerifier jwt;
    private final ClientCertificateVerifier certificates;
    private final Set<String> trustedProxies;
    private final Set<Protocol> forwardingProtocols;

    /**
     * @param certificates the client certificate verifier, or null when mTLS is not configured
     *     (then any client certificate is rejected)
     * @param trustedProxies SPIFFE IDs of proxies allowed to forward client certificates
     */
    public IdentityResolver(JwtVerifier jwt, ClientCertificateVerifier certificates, Set<String> trustedProxies) {
        this(jwt, certificates, trustedProxies, DEFAULT_FORWARDING_PROTOCOLS);
    }

    /**
     * @param forwardingProtocols the protocols on which a trusted proxy's forwarded certificate is
     *     believed; on the others it is rejected as a forgery
     */
    public IdentityResolver(JwtVerifier jwt, ClientCertificateVerifier certificates, Set<String> trustedProxies,
            Set<Protocol> forwardingProtocols) {
        this.jwt = Objects.requireNonNull(jwt, "jwt cannot be null");
        this.certificates = certificates;
        this.trustedProxies = Set.copyOf(trustedProxies);
        this.forwardingProtocols = Set.copyOf(forwardingProtocols);
    }

    public AuthenticationResult authenticate(CheckContext context) {
        try {
            Optional<VerifiedCertificate> peer = verifyPeer(context.peerCertificates());
            boolean peerIsTrustedProxy = peer.isPresent() && trustedProxies.contains(peer.get().spiffeId().toString());
            Optional<Principal> workload = workloadIdentity(context, peer, peerIsTrustedProxy);
            Optional<Principal> bearer = bearer(context);
            Principal principal;
            if (bearer.isPresent()) {
                principal = workload.map(w -> bearer.get().withWorkload(w.spiffeId(), w.methods().get(0)))
                        .orElse(bearer.get());
            } else {
                principal = workload.orElse(Principal.ANONYMOUS);
            }
            return new AuthenticationResult.Authenticated(principal);
        } catch (AuthenticationException e) {
            return new AuthenticationResult.Rejected(e);
        }
    }

    /** Whether the TLS peer of this check is a configured, verified trusted proxy. */
    public boolean isTrustedProxy(List<X509Certificate> peerCertificates) {
        try {
            return verifyPeer(peerCertificates).map(p -> trustedProxies.contains(p.spiffeId().toString())).orElse(false);
        } catch (AuthenticationException e) {
            return false;
        }
    }

    private Optional<VerifiedCertificate> verifyPeer(List<X509Certificate> chain) throws AuthenticationException {
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(requireVerifier().verify(chain));
    }

    private Optional<Principal> workloadIdentity(CheckContext context, Optional<VerifiedCertificate> peer,
            boolean peerIsTrustedProxy) throws AuthenticationException {
        String forwarded = context.forwardedClientCertificate();
        if (forwarded != null && !forwarded.isBlank()) {
            if (!peerIsTrustedProxy) {
                throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_FORWARDER,
                        "forwarded client certificate from " + peer.map(p -> p.spiffeId().toString()).orElse("an unauthenticated peer"));
            }
            if (!forwardingProtocols.contains(context.protocol())) {
                throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_FORWARDER, "forwarded client certificate on the "
                        + context.protocol().label() + " protocol, whose proxy passes on the client's headers"
                        + " (portcullis.mtls.forwarded-certificate-protocols)");
            }
            List<X509Certificate> chain = ForwardedClientCertificate.fromXfcc(forwarded);
            VerifiedCertificate client = requireVerifier().verify(chain);
            return Optional.of(Principal.workload(client.spiffeId().toString(), AuthMethod.FORWARDED_MTLS));
        }
        if (peer.isPresent() && !peerIsTrustedProxy) {
            return Optional.of(Principal.workload(peer.get().spiffeId().toString(), AuthMethod.MTLS));
        }
        return Optional.empty();
    }

    private Optional<Principal> bearer(CheckContext context) throws AuthenticationException {
        List<String> values = context.headers().all("authorization");
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_AUTHORIZATION_HEADER, "several Authorization headers");
        }
        String value = values.get(0);
        if (value.length() <= BEARER.length() || !value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_AUTHORIZATION_HEADER, "not a Bearer credential");
        }
        String token = value.substring(BEARER.length()).trim();
        if (token.isEmpty() || token.indexOf(' ') >= 0) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_AUTHORIZATION_HEADER, "malformed Bearer credential");
        }
        return Optional.of(jwt.verify(token));
    }

    private ClientCertificateVerifier requireVerifier() throws AuthenticationException {
        if (certificates == null) {
            throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_CERTIFICATE,
                    "a client certificate was presented but mTLS is not configured");
        }
        return certificates;
    }
}
