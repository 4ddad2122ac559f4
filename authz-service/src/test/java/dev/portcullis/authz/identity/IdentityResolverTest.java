package dev.portcullis.authz.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.identity.jwt.JwtVerifier;
import dev.portcullis.authz.identity.mtls.PkixClientCertificateVerifier;
import dev.portcullis.authz.testing.Checks;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.authz.testing.TestCertificates.Authority;

/**
 * Which credentials make the principal: a bearer token, the TLS peer's certificate, a certificate
 * forwarded by a trusted proxy, or a combination; a presented credential that fails is a rejection,
 * never a fallback to anonymous. Real certificates and a real PKIX verifier; the JWT verifier is a
 * stand-in (its own tests are NimbusJwtVerifierTest).
 */
class IdentityResolverTest {

    private static final String PROXY_ID = "spiffe://portcullis.test/ns/mesh/sa/envoy";
    private static final String WORKLOAD_ID = "spiffe://portcullis.test/ns/shop/sa/checkout";
    private static final Principal ALICE = new Principal(true, "alice", "portcullis-cli", "https://issuer.test",
            Set.of("order-reader"), Set.of(), Set.of(), null, "jti-1", "sid-1", Instant.parse("2026-03-01T12:05:00Z"),
            List.of(AuthMethod.JWT));

    private static Authority ca;
    private static X509Certificate proxy;
    private static X509Certificate workload;
    private static X509Certificate revoked;
    private static X509CRL crl;

    private final List<String> verifiedTokens = new ArrayList<>();
    private final JwtVerifier jwt = token -> {
        verifiedTokens.add(token);
        if (token.equals("good-token")) {
            return ALICE;
        }
        throw new AuthenticationException(AuthenticationFailure.BAD_SIGNATURE, "bad signature", "mallory", null);
    };
    private final IdentityResolver resolver = new IdentityResolver(jwt,
            new PkixClientCertificateVerifier(List.of(ca.certificate()), () -> List.of(crl), Set.of("portcullis.test"),
                    Clock.fixed(TestCertificates.NOW, ZoneOffset.UTC)),
            Set.of(PROXY_ID));

    @BeforeAll
    static void certificates() {
        ca = Authority.create("IdentityResolver test CA");
        proxy = ca.leaf().uris(PROXY_ID).issue().certificate();
        workload = ca.leaf().uris(WORKLOAD_ID).issue().certificate();
        TestCertificates.Issued revokedLeaf = ca.leaf().uris("spiffe://portcullis.test/ns/shop/sa/revoked").issue();
        revoked = revokedLeaf.certificate();
        crl = ca.crl(revokedLeaf.serial());
    }

    private Principal principal(CheckContext context) {
        AuthenticationResult result = resolver.authenticate(context);
        assertThat(result).isInstanceOf(AuthenticationResult.Authenticated.class);
        return ((AuthenticationResult.Authenticated) result).principal();
    }

    private AuthenticationException rejection(CheckContext context) {
        AuthenticationResult result = resolver.authenticate(context);
        assertThat(result).isInstanceOf(AuthenticationResult.Rejected.class);
        return ((AuthenticationResult.Rejected) result).cause();
    }

    @Test
    void authenticateWhenNoCredentialThenAnonymous() {
        assertThat(principal(Checks.check().build())).isEqualTo(Principal.ANONYMOUS);
        assertThat(verifiedTokens).isEmpty();
    }

    @Test
    void authenticateWhenBearerTokenThenItsPrincipalAndExactlyTheTokenIsVerified() {
        assertThat(principal(Checks.check().bearer("good-token").build())).isEqualTo(ALICE);
        assertThat(verifiedTokens).containsExactly("good-token");
    }

    @Test
    void authenticateWhenSchemeIsInAnotherCaseThenStillABearerToken() {
        assertThat(principal(Checks.check().header("Authorization", "bEaReR good-token").build()).subject()).isEqualTo("alice");
    }

    @Test
    void authenticateWhenTheTokenIsRejectedThenRejectedWithTheClaimedSubject() {
        AuthenticationException e = rejection(Checks.check().bearer("forged-token").build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.BAD_SIGNATURE);
        assertThat(e.claimedSubject()).isEqualTo("mallory");
    }

    @Test
    void authenticateWhenTwoAuthorizationHeadersThenMalformedEvenIfBothAreGood() {
        AuthenticationException e = rejection(Checks.check().bearer("good-token").bearer("good-token").build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.MALFORMED_AUTHORIZATION_HEADER);
        assertThat(verifiedTokens).isEmpty();
    }

    @Test
    void authenticateWhenNotABearerCredentialThenMalformed() {
        for (String value : List.of("Basic YWxpY2U6YWxpY2U=", "Bearer", "Bearer ", "Bearer  ", "Bearer a b", "Token good-token",
                "Bearergood-token", "good-token")) {
            assertThat(rejection(Checks.check().header("Authorization", value).build()).failure())
                    .as(value).isEqualTo(AuthenticationFailure.MALFORMED_AUTHORIZATION_HEADER);
        }
        assertThat(verifiedTokens).isEmpty();
    }

    @Test
    void authenticateWhenPeerCertificateOnlyThenTheWorkload() {
        Principal principal = principal(Checks.check().peer(workload).build());

        assertThat(principal.authenticated()).isTrue();
        assertThat(principal.subject()).isNull();
        assertThat(principal.spiffeId()).isEqualTo(WORKLOAD_ID);
        assertThat(principal.methods()).containsExactly(AuthMethod.MTLS);
    }

    @Test
    void authenticateWhenTokenAndPeerCertificateThenBothCombine() {
        Principal principal = principal(Checks.check().bearer("good-token").peer(workload).build());

        assertThat(principal.subject()).isEqualTo("alice");
        assertThat(principal.roles()).containsExactly("order-reader");
        assertThat(principal.spiffeId()).isEqualTo(WORKLOAD_ID);
        assertThat(principal.methods()).containsExactly(AuthMethod.JWT, AuthMethod.MTLS);
    }

    @Test
    void authenticateWhenAGoodTokenComesWithARevokedCertificateThenRejectedNotHalfAuthenticated() {
        AuthenticationException e = rejection(Checks.check().bearer("good-token").peer(revoked).build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.REVOKED_CERTIFICATE);
    }

    @Test
    void authenticateWhenForwardedCertificateFromAnUnauthenticatedPeerThenUntrustedForwarder() {
        AuthenticationException e = rejection(Checks.check().forwardedClientCertificate(TestCertificates.xfcc(workload)).build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.UNTRUSTED_FORWARDER);
    }

    @Test
    void authenticateWhenForwardedCertificateFromAPeerThatIsNotATrustedProxyThenUntrustedForwarder() {
        X509Certificate other = ca.leaf().uris("spiffe://portcullis.test/ns/shop/sa/not-a-proxy").issue().certificate();

        AuthenticationException e = rejection(Checks.check().peer(other)
                .forwardedClientCertificate(TestCertificates.xfcc(workload)).build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.UNTRUSTED_FORWARDER);
    }

    @Test
    void authenticateWhenForwardedCertificateFromATrustedProxyThenTheForwardedWorkload() {
        for (Protocol protocol : List.of(Protocol.ENVOY_HTTP, Protocol.ENVOY_GRPC, Protocol.DECISION_API)) {
            Principal principal = principal(Checks.check().protocol(protocol).peer(proxy)
                    .forwardedClientCertificate(TestCertificates.xfcc(workload)).build());

            assertThat(principal.spiffeId()).as(protocol.label()).isEqualTo(WORKLOAD_ID);
            assertThat(principal.methods()).as(protocol.label()).containsExactly(AuthMethod.FORWARDED_MTLS);
        }
    }

    @Test
    void authenticateWhenATrustedNginxOrTraefikPassesOnAForwardedCertificateThenAForgeryByDefault() {
        // auth_request and forwardAuth hand over the client's own headers: a certificate is public,
        // so a client could name any workload in the header if Portcullis believed it here.
        for (Protocol protocol : List.of(Protocol.NGINX, Protocol.TRAEFIK)) {
            AuthenticationException e = rejection(Checks.check().protocol(protocol).peer(proxy)
                    .forwardedClientCertificate(TestCertificates.xfcc(workload)).build());

            assertThat(e.failure()).as(protocol.label()).isEqualTo(AuthenticationFailure.UNTRUSTED_FORWARDER);
            assertThat(e.getMessage()).contains(protocol.label() + " protocol");
        }
    }

    @Test
    void authenticateWhenTheOperatorSaysNginxSetsTheHeaderThenItsForwardedCertificateIsBelieved() {
        IdentityResolver nginxForwards = new IdentityResolver(jwt,
                new PkixClientCertificateVerifier(List.of(ca.certificate()), () -> List.of(crl), Set.of("portcullis.test"),
                        Clock.fixed(TestCertificates.NOW, ZoneOffset.UTC)),
                Set.of(PROXY_ID), Set.of(Protocol.NGINX));

        AuthenticationResult result = nginxForwards.authenticate(Checks.check().protocol(Protocol.NGINX).peer(proxy)
                .forwardedClientCertificate(TestCertificates.xfcc(workload)).build());

        assertThat(result).isInstanceOfSatisfying(AuthenticationResult.Authenticated.class,
                a -> assertThat(a.principal().spiffeId()).isEqualTo(WORKLOAD_ID));
    }

    @Test
    void authenticateWhenATrustedProxyForwardsARevokedCertificateThenRejected() {
        AuthenticationException e = rejection(Checks.check().protocol(Protocol.ENVOY_HTTP).peer(proxy)
                .forwardedClientCertificate(TestCertificates.xfcc(revoked)).build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.REVOKED_CERTIFICATE);
    }

    @Test
    void authenticateWhenATrustedProxyForwardsGarbageThenMalformedCertificate() {
        AuthenticationException e = rejection(Checks.check().protocol(Protocol.ENVOY_HTTP).peer(proxy)
                .forwardedClientCertificate("Cert=\"nonsense\"").build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.MALFORMED_CERTIFICATE);
    }

    @Test
    void authenticateWhenATrustedProxyForwardsNothingThenItsOwnCertificateIsNotTheCallersIdentity() {
        assertThat(principal(Checks.check().peer(proxy).build())).isEqualTo(Principal.ANONYMOUS);

        Principal withToken = principal(Checks.check().peer(proxy).bearer("good-token").build());
        assertThat(withToken.spiffeId()).isNull();
        assertThat(withToken.methods()).containsExactly(AuthMethod.JWT);
    }

    @Test
    void authenticateWhenTheProxysCertificateFailsThenRejected() {
        X509Certificate expiredProxy = ca.leaf().uris(PROXY_ID)
                .validity(TestCertificates.NOW.minus(Duration.ofDays(2)), TestCertificates.NOW.minusSeconds(1)).issue().certificate();

        AuthenticationException e = rejection(Checks.check().peer(expiredProxy)
                .forwardedClientCertificate(TestCertificates.xfcc(workload)).build());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.EXPIRED_CERTIFICATE);
    }

    @Test
    void isTrustedProxyOnlyForAVerifiedCertificateOfAConfiguredProxy() {
        assertThat(resolver.isTrustedProxy(List.of(proxy))).isTrue();
        assertThat(resolver.isTrustedProxy(List.of(workload))).isFalse();
        assertThat(resolver.isTrustedProxy(List.of())).isFalse();
        Authority impostor = Authority.impersonating(ca);
        assertThat(resolver.isTrustedProxy(List.of(impostor.leaf().uris(PROXY_ID).issue().certificate()))).isFalse();
    }

    @Test
    void authenticateWhenMtlsIsNotConfiguredThenAnyCertificateIsRejected() {
        IdentityResolver tokensOnly = new IdentityResolver(jwt, null, Set.of(PROXY_ID));

        AuthenticationResult result = tokensOnly.authenticate(Checks.check().peer(workload).build());

        assertThat(result).isInstanceOfSatisfying(AuthenticationResult.Rejected.class,
                r -> assertThat(r.cause().failure()).isEqualTo(AuthenticationFailure.UNTRUSTED_CERTIFICATE));
        assertThat(tokensOnly.isTrustedProxy(List.of(proxy))).isFalse();
    }
}
