package dev.portcullis.authz.identity.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;
import dev.portcullis.authz.testing.TestCertificates;

/**
 * Envoy's {@code x-forwarded-client-cert} (XFCC) as Envoy writes it: elements separated by ',',
 * pairs by ';', values optionally quoted, certificates as URL-encoded PEM. The last element is the
 * one the nearest proxy appended.
 */
class ForwardedClientCertificateTest {

    private static TestCertificates.Authority ca;
    private static X509Certificate alice;
    private static X509Certificate bob;

    @BeforeAll
    static void certificates() {
        ca = TestCertificates.Authority.create("XFCC test CA");
        alice = ca.leaf().uris("spiffe://portcullis.test/alice").issue().certificate();
        bob = ca.leaf().uris("spiffe://portcullis.test/bob").issue().certificate();
    }

    /** URL-encodes PEM the way Envoy does (spaces as %20, '+' and '/' and newlines escaped). */
    private static String envoyEncoded(X509Certificate... certificates) {
        return TestCertificates.urlEncodedPem(certificates);
    }

    private static AuthenticationFailure failureOf(String header) {
        try {
            throw new AssertionError("parsed: " + ForwardedClientCertificate.fromXfcc(header));
        } catch (AuthenticationException e) {
            return e.failure();
        }
    }

    @Test
    void fromXfccWhenOneElementWithCertThenThatCertificate() throws AuthenticationException {
        String header = "By=spiffe://portcullis.test/ns/mesh/sa/envoy;Hash=abc123;Cert=\"" + envoyEncoded(alice)
                + "\";URI=spiffe://portcullis.test/alice";

        assertThat(ForwardedClientCertificate.fromXfcc(header)).containsExactly(alice);
    }

    @Test
    void fromXfccWhenCertIsUnquotedThenThatCertificate() throws AuthenticationException {
        assertThat(ForwardedClientCertificate.fromXfcc("Cert=" + envoyEncoded(alice))).containsExactly(alice);
    }

    @Test
    void fromXfccWhenKeysDifferInCaseThenStillFound() throws AuthenticationException {
        assertThat(ForwardedClientCertificate.fromXfcc("cert=\"" + envoyEncoded(alice) + "\"")).containsExactly(alice);
    }

    @Test
    void fromXfccWhenQuotedValuesHoldSeparatorsThenTheyDoNotSplit() throws AuthenticationException {
        String header = "Subject=\"CN=alice,OU=shop;O=portcullis\";Cert=\"" + envoyEncoded(alice) + "\";DNS=a.test";

        assertThat(ForwardedClientCertificate.fromXfcc(header)).containsExactly(alice);
    }

    @Test
    void fromXfccWhenAQuotedValueHasAnEscapedQuoteThenItIsKept() throws AuthenticationException {
        String header = "Subject=\"CN=\\\"quoted, name\\\"\";Cert=\"" + envoyEncoded(alice) + "\"";

        assertThat(ForwardedClientCertificate.fromXfcc(header)).containsExactly(alice);
    }

    @Test
    void fromXfccWhenSeveralElementsThenTheLastOneIsUsed() throws AuthenticationException {
        String header = "By=spiffe://portcullis.test/edge;Cert=\"" + envoyEncoded(bob) + "\","
                + "By=spiffe://portcullis.test/sidecar;Cert=\"" + envoyEncoded(alice) + "\"";

        assertThat(ForwardedClientCertificate.fromXfcc(header)).containsExactly(alice);
    }

    @Test
    void fromXfccWhenChainAndCertAreBothPresentThenTheChainIsUsed() throws AuthenticationException {
        String header = "Cert=\"" + envoyEncoded(alice) + "\";Chain=\"" + envoyEncoded(alice, ca.certificate()) + "\"";

        assertThat(ForwardedClientCertificate.fromXfcc(header)).containsExactly(alice, ca.certificate());
    }

    @Test
    void fromXfccWhenTheLastElementHasNoCertificateThenAnEarlierOneIsNotUsed() {
        String header = "Cert=\"" + envoyEncoded(bob) + "\",By=spiffe://portcullis.test/sidecar;Hash=abc";

        assertThat(failureOf(header)).isEqualTo(AuthenticationFailure.MALFORMED_CERTIFICATE);
    }

    @Test
    void fromXfccWhenMalformedThenMalformedCertificate() {
        List<String> malformed = List.of(
                "Cert",                                             // a pair without '='
                "=abc",                                             // no key
                "Cert=\"" + envoyEncoded(alice),                    // unterminated quote
                "By=spiffe://portcullis.test/edge;Hash=abc",        // no Cert or Chain
                "Cert=\"not-a-certificate\"",                       // not PEM
                "Cert=\"%zz%zz\"",                                  // not URL-encoding
                "Cert=\"\"",                                        // empty
                "Cert=\"" + envoyEncoded(alice).substring(0, 200) + "\"", // truncated PEM
                "");
        for (String header : malformed) {
            assertThat(failureOf(header)).as(header).isEqualTo(AuthenticationFailure.MALFORMED_CERTIFICATE);
        }
    }

    @Test
    void fromXfccWhenLongerThan64KiBThenRefusedBeforeParsing() {
        String header = "Subject=\"" + "x".repeat(64 * 1024) + "\";Cert=\"" + envoyEncoded(alice) + "\"";

        assertThat(failureOf(header)).isEqualTo(AuthenticationFailure.MALFORMED_CERTIFICATE);
    }

    @Test
    void fromUrlEncodedPemWhenEnvoysSourceCertificateThenTheCertificates() throws AuthenticationException {
        assertThat(ForwardedClientCertificate.fromUrlEncodedPem(envoyEncoded(alice, ca.certificate())))
                .containsExactly(alice, ca.certificate());
    }
}
