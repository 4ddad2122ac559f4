package dev.portcullis.authz.identity.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.authz.testing.TestCertificates.Authority;

import static dev.portcullis.authz.testing.TestCertificates.NOW;

/**
 * Client certificate verification with real certificates and CRLs made by Bouncy Castle, and a
 * clock fixed at the fixtures' {@link TestCertificates#NOW}: path to a trust anchor, validity,
 * revocation from the CRL (no current CRL is a rejection), client authentication, one SPIFFE ID in
 * an accepted trust domain.
 */
class PkixClientCertificateVerifierTest {

    private static Authority ca;
    private static Authority otherCa;

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeAll
    static void authorities() {
        ca = Authority.create("Portcullis test CA");
        otherCa = Authority.create("Someone else's CA");
    }

    private PkixClientCertificateVerifier verifier(CrlSource crls) {
        return new PkixClientCertificateVerifier(List.of(ca.certificate()), crls, Set.of("portcullis.test"), clock);
    }

    private PkixClientCertificateVerifier verifier() {
        X509CRL crl = ca.crl();
        return verifier(() -> List.of(crl));
    }

    private static AuthenticationException rejection(PkixClientCertificateVerifier verifier, X509Certificate... chain) {
        try {
            throw new AssertionError("accepted: " + verifier.verify(List.of(chain)));
        } catch (AuthenticationException e) {
            return e;
        }
    }

    private AuthenticationFailure failureOf(X509Certificate... chain) {
        return rejection(verifier(), chain).failure();
    }

    @Test
    void verifyWhenValidThenItsSpiffeIdSubjectSerialAndExpiry() throws AuthenticationException {
        TestCertificates.Issued leaf = ca.leaf().issue();

        VerifiedCertificate verified = verifier().verify(List.of(leaf.certificate()));

        assertThat(verified.spiffeId()).isEqualTo(SpiffeId.parse(TestCertificates.DEFAULT_SPIFFE_ID));
        assertThat(verified.subject()).isEqualTo("CN=workload");
        assertThat(verified.serialNumber()).isEqualTo(leaf.serial());
        assertThat(verified.notAfter()).isEqualTo(leaf.certificate().getNotAfter().toInstant());
    }

    @Test
    void verifyWhenThePeerSendsTheAnchorAlongThenItIsIgnored() throws AuthenticationException {
        X509Certificate leaf = ca.leaf().issue().certificate();

        assertThat(verifier().verify(List.of(leaf, ca.certificate())).spiffeId().trustDomain()).isEqualTo("portcullis.test");
    }

    @Test
    void verifyWhenExpiredThenExpiredCertificate() {
        X509Certificate expired = ca.leaf().validity(NOW.minus(Duration.ofDays(2)), NOW.minusSeconds(1)).issue().certificate();

        assertThat(failureOf(expired)).isEqualTo(AuthenticationFailure.EXPIRED_CERTIFICATE);
    }

    @Test
    void verifyWhenNotYetValidThenExpiredCertificate() {
        X509Certificate early = ca.leaf().validity(NOW.plusSeconds(60), NOW.plus(Duration.ofDays(1))).issue().certificate();

        assertThat(failureOf(early)).isEqualTo(AuthenticationFailure.EXPIRED_CERTIFICATE);
    }

    @Test
    void verifyWhenIssuedByAnotherCaThenUntrusted() {
        assertThat(failureOf(otherCa.leaf().issue().certificate())).isEqualTo(AuthenticationFailure.UNTRUSTED_CERTIFICATE);
        // ... also when the other CA is sent along with it.
        assertThat(failureOf(otherCa.leaf().issue().certificate(), otherCa.certificate()))
                .isEqualTo(AuthenticationFailure.UNTRUSTED_CERTIFICATE);
    }

    @Test
    void verifyWhenIssuedByAnImpostorWithTheCasNameThenUntrusted() {
        Authority impostor = Authority.impersonating(ca);

        assertThat(failureOf(impostor.leaf().issue().certificate())).isEqualTo(AuthenticationFailure.UNTRUSTED_CERTIFICATE);
    }

    @Test
    void verifyWhenRevokedThenRevokedCertificate() {
        TestCertificates.Issued leaf = ca.leaf().issue();
        X509CRL crl = ca.crl(leaf.serial());

        AuthenticationException e = rejection(verifier(() -> List.of(crl)), leaf.certificate());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.REVOKED_CERTIFICATE);
    }

    @Test
    void verifyWhenAnotherCertificateIsRevokedThenStillValid() throws AuthenticationException {
        TestCertificates.Issued revoked = ca.leaf().issue();
        X509CRL crl = ca.crl(revoked.serial());

        assertThat(verifier(() -> List.of(crl)).verify(List.of(ca.leaf().issue().certificate()))).isNotNull();
    }

    @Test
    void verifyWhenTheChainPassesThroughAnIntermediateThenEachCertificateIsCheckedAgainstItsIssuersCrl()
            throws AuthenticationException {
        Authority intermediate = ca.subordinate("Portcullis test issuing CA");
        TestCertificates.Issued leaf = intermediate.leaf().issue();
        X509CRL rootCrl = ca.crl();
        X509CRL intermediateCrl = intermediate.crl();

        assertThat(verifier(() -> List.of(rootCrl, intermediateCrl))
                .verify(List.of(leaf.certificate(), intermediate.certificate())).spiffeId()).isNotNull();

        X509CRL intermediateRevoked = ca.crl(intermediate.serial());
        assertThat(rejection(verifier(() -> List.of(intermediateRevoked, intermediateCrl)), leaf.certificate(),
                intermediate.certificate()).failure())
                .as("a revoked intermediate revokes what it issued").isEqualTo(AuthenticationFailure.REVOKED_CERTIFICATE);
        assertThat(rejection(verifier(() -> List.of(rootCrl, intermediate.crl(leaf.serial()))), leaf.certificate(),
                intermediate.certificate()).failure()).isEqualTo(AuthenticationFailure.REVOKED_CERTIFICATE);
        assertThat(rejection(verifier(() -> List.of(rootCrl)), leaf.certificate(), intermediate.certificate()).failure())
                .as("no CRL from the intermediate").isEqualTo(AuthenticationFailure.REVOCATION_UNKNOWN);
        assertThat(rejection(verifier(() -> List.of(intermediateCrl)), leaf.certificate(), intermediate.certificate())
                .failure()).as("no CRL from the root").isEqualTo(AuthenticationFailure.REVOCATION_UNKNOWN);
    }

    @Test
    void verifyWhenTheBundleHoldsTwoAuthoritiesThenEachNeedsItsOwnCrlFromTheUnionOfSources()
            throws AuthenticationException {
        // A CA rotation: the bundle trusts the old and the new CA, each with its CRL URL.
        PkixClientCertificateVerifier both = new PkixClientCertificateVerifier(List.of(ca.certificate(),
                otherCa.certificate()), CrlSource.union(List.of(() -> List.of(ca.crl()), () -> List.of(otherCa.crl()))),
                Set.of("portcullis.test"), clock);
        PkixClientCertificateVerifier onlyOldCrl = new PkixClientCertificateVerifier(List.of(ca.certificate(),
                otherCa.certificate()), CrlSource.union(List.of(() -> List.of(ca.crl()), List::of)),
                Set.of("portcullis.test"), clock);

        assertThat(both.verify(List.of(ca.leaf().issue().certificate()))).isNotNull();
        assertThat(both.verify(List.of(otherCa.leaf().issue().certificate()))).isNotNull();
        assertThat(onlyOldCrl.verify(List.of(ca.leaf().issue().certificate()))).isNotNull();
        assertThat(rejection(onlyOldCrl, otherCa.leaf().issue().certificate()).failure())
                .isEqualTo(AuthenticationFailure.REVOCATION_UNKNOWN);
    }

    @Test
    void verifyWhenNoCrlIsAvailableThenRevocationUnknown() {
        AuthenticationException e = rejection(verifier(List::of), ca.leaf().issue().certificate());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.REVOCATION_UNKNOWN);
    }

    @Test
    void verifyWhenTheCrlIsPastItsNextUpdateThenRevocationUnknown() {
        X509CRL stale = ca.crl(NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)));

        AuthenticationException e = rejection(verifier(() -> List.of(stale)), ca.leaf().issue().certificate());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.REVOCATION_UNKNOWN);
    }

    @Test
    void verifyWhenTheCrlIsSignedByAnotherKeyUnderTheCasNameThenRevocationUnknown() {
        TestCertificates.Issued leaf = ca.leaf().issue();
        // A forged CRL that claims to be the CA's and does not list the (revoked) certificate.
        X509CRL forged = Authority.impersonating(ca).crl();

        AuthenticationException e = rejection(verifier(() -> List.of(forged)), leaf.certificate());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.REVOCATION_UNKNOWN);
    }

    @Test
    void verifyWhenTheOnlyCrlIsAnotherCasThenRevocationUnknown() {
        X509CRL foreign = otherCa.crl();

        AuthenticationException e = rejection(verifier(() -> List.of(foreign)), ca.leaf().issue().certificate());

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.REVOCATION_UNKNOWN);
    }

    @Test
    void verifyWhenNoUriSanThenBadSpiffeId() {
        assertThat(failureOf(ca.leaf().uris().dnsName("checkout.portcullis.test").issue().certificate()))
                .isEqualTo(AuthenticationFailure.BAD_SPIFFE_ID);
    }

    @Test
    void verifyWhenTwoUriSansThenBadSpiffeId() {
        X509Certificate two = ca.leaf().uris("spiffe://portcullis.test/a", "spiffe://portcullis.test/b").issue().certificate();

        assertThat(failureOf(two)).isEqualTo(AuthenticationFailure.BAD_SPIFFE_ID);
    }

    @Test
    void verifyWhenTheUriIsNotASpiffeIdThenBadSpiffeId() {
        assertThat(failureOf(ca.leaf().uris("https://portcullis.test/checkout").issue().certificate()))
                .isEqualTo(AuthenticationFailure.BAD_SPIFFE_ID);
        assertThat(failureOf(ca.leaf().uris("spiffe://portcullis.test/ns/../admin").issue().certificate()))
                .isEqualTo(AuthenticationFailure.BAD_SPIFFE_ID);
    }

    @Test
    void verifyWhenTheTrustDomainIsNotAcceptedThenBadSpiffeIdNamingTheClaimedId() {
        X509Certificate foreign = ca.leaf().uris("spiffe://evil.test/ns/shop/sa/checkout").issue().certificate();

        AuthenticationException e = rejection(verifier(), foreign);

        assertThat(e.failure()).isEqualTo(AuthenticationFailure.BAD_SPIFFE_ID);
        assertThat(e.claimedSubject()).isEqualTo("spiffe://evil.test/ns/shop/sa/checkout");
    }

    @Test
    void verifyWhenACaCertificateIsPresentedAsAClientCertificateThenUntrusted() {
        X509Certificate subCa = ca.leaf().asCertificateAuthority().issue().certificate();

        assertThat(failureOf(subCa)).isEqualTo(AuthenticationFailure.UNTRUSTED_CERTIFICATE);
        assertThat(failureOf(ca.certificate())).isEqualTo(AuthenticationFailure.UNTRUSTED_CERTIFICATE);
    }

    @Test
    void verifyWhenTheClientAuthUsageIsMissingThenUntrusted() {
        X509Certificate serverOnly = ca.leaf().extendedKeyUsages(KeyPurposeId.id_kp_serverAuth).issue().certificate();

        assertThat(failureOf(serverOnly)).isEqualTo(AuthenticationFailure.UNTRUSTED_CERTIFICATE);
    }

    @Test
    void verifyWhenThereIsNoExtendedKeyUsageThenAnyUsageIsAllowedAsRfc5280Says() throws AuthenticationException {
        X509Certificate unrestricted = ca.leaf().extendedKeyUsages().issue().certificate();

        assertThat(verifier().verify(List.of(unrestricted))).isNotNull();
    }

    @Test
    void verifyWhenTheChainIsEmptyThenMalformed() {
        assertThatThrownBy(() -> verifier().verify(List.of())).isInstanceOfSatisfying(AuthenticationException.class,
                e -> assertThat(e.failure()).isEqualTo(AuthenticationFailure.MALFORMED_CERTIFICATE));
    }

    @Test
    void constructWhenNoAnchorOrNoTrustDomainThenRefused() {
        assertThatThrownBy(() -> new PkixClientCertificateVerifier(List.of(), List::of, Set.of("portcullis.test"), clock))
                .hasMessageContaining("trust bundle");
        assertThatThrownBy(() -> new PkixClientCertificateVerifier(List.of(ca.certificate()), List::of, Set.of(), clock))
                .hasMessageContaining("trust domain");
    }
}
