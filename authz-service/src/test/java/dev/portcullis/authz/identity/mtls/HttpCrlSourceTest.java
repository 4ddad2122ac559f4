package dev.portcullis.authz.identity.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.portcullis.authz.testing.MutableClock;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.authz.testing.TestCertificates.Authority;

/** The CRL source against a real HTTP server on 127.0.0.1 that serves whatever CRL the test puts there. */
class HttpCrlSourceTest {

    private static final Clock CLOCK = Clock.fixed(TestCertificates.NOW, ZoneOffset.UTC);

    private final Authority ca = Authority.create("CRL source test CA");
    private final AtomicReference<X509CRL> served = new AtomicReference<>();
    private HttpServer server;
    private HttpCrlSource source;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/crl", exchange -> {
            byte[] body;
            try {
                body = served.get().getEncoded();
            } catch (java.security.cert.CRLException e) {
                throw new java.io.IOException(e);
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        source = new HttpCrlSource(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/crl"),
                List.of(ca.certificate()), HttpClient.newHttpClient(), Duration.ofMinutes(5), Duration.ofSeconds(5), CLOCK);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void anOlderSignedCrlServedLaterDoesNotUnrevokeWhatTheNewerOneRevoked() {
        BigInteger revoked = BigInteger.valueOf(4242);
        X509CRL newer = ca.crl(TestCertificates.NOW.minusSeconds(600), TestCertificates.NOW.plus(Duration.ofDays(1)), revoked);
        X509CRL older = ca.crl(TestCertificates.NOW.minusSeconds(3600), TestCertificates.NOW.plus(Duration.ofDays(1)));
        served.set(newer);
        assertThat(source.refresh()).isTrue();

        served.set(older); // a replay of an earlier list, validly signed
        assertThat(source.refresh()).isFalse();

        assertThat(source.current()).singleElement()
                .satisfies(crl -> assertThat(crl.getRevokedCertificate(revoked)).isNotNull());
    }

    @Test
    void aNewerCrlReplacesTheOneHeld() {
        BigInteger revoked = BigInteger.valueOf(4243);
        served.set(ca.crl(TestCertificates.NOW.minusSeconds(3600), TestCertificates.NOW.plus(Duration.ofDays(1))));
        assertThat(source.refresh()).isTrue();

        served.set(ca.crl(TestCertificates.NOW.minusSeconds(60), TestCertificates.NOW.plus(Duration.ofDays(1)), revoked));
        assertThat(source.refresh()).isTrue();

        assertThat(source.current()).singleElement()
                .satisfies(crl -> assertThat(crl.getRevokedCertificate(revoked)).isNotNull());
    }

    /**
     * How long a certificate revoked at its authority still verifies: until the held CRL is
     * {@code crl-refresh} old (or past its nextUpdate), at the first check after that; no sooner.
     */
    @Test
    void aRevocationPublishedAfterTheHeldCrlCountsFromTheFirstCheckAfterTheRefreshInterval() {
        MutableClock clock = new MutableClock(TestCertificates.NOW);
        HttpCrlSource refreshing = new HttpCrlSource(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/crl"),
                List.of(ca.certificate()), HttpClient.newHttpClient(), Duration.ofMinutes(5), Duration.ofSeconds(5), clock);
        BigInteger revoked = BigInteger.valueOf(4244);
        served.set(ca.crl(TestCertificates.NOW.minusSeconds(3600), TestCertificates.NOW.plus(Duration.ofDays(1))));
        assertThat(refreshing.current()).singleElement().satisfies(crl -> assertThat(crl.getRevokedCertificate(revoked)).isNull());

        served.set(ca.crl(TestCertificates.NOW.plusSeconds(1), TestCertificates.NOW.plus(Duration.ofDays(1)), revoked));
        clock.advance(Duration.ofMinutes(5));
        assertThat(refreshing.current()).as("the held list is not older than crl-refresh yet").singleElement()
                .satisfies(crl -> assertThat(crl.getRevokedCertificate(revoked)).isNull());

        clock.advance(Duration.ofMillis(1));
        assertThat(refreshing.current()).singleElement()
                .satisfies(crl -> assertThat(crl.getRevokedCertificate(revoked)).isNotNull());
    }

    @Test
    void aCrlSignedByAnotherAuthorityIsRefused() {
        served.set(Authority.impersonating(ca).crl(TestCertificates.NOW.minusSeconds(60), TestCertificates.NOW.plus(Duration.ofDays(1))));

        assertThat(source.refresh()).isFalse();
        assertThat(source.current()).isEmpty();
    }

    @Test
    void aCrlOfACaReKeyedUnderTheSameNameIsAcceptedWhenTheBundleHoldsBothKeys() {
        // A CA rotation that keeps the CA's name: the bundle trusts the old and the new certificate.
        Authority rekeyed = Authority.impersonating(ca);
        HttpCrlSource both = new HttpCrlSource(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/crl"),
                List.of(ca.certificate(), rekeyed.certificate()), HttpClient.newHttpClient(), Duration.ofMinutes(5),
                Duration.ofSeconds(5), CLOCK);
        served.set(rekeyed.crl(TestCertificates.NOW.minusSeconds(60), TestCertificates.NOW.plus(Duration.ofDays(1))));

        assertThat(both.refresh()).isTrue();
        assertThat(both.current()).hasSize(1);
    }
}
