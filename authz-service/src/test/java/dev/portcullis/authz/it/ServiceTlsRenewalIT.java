package dev.portcullis.authz.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.OpenBaoPki;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.authz.testing.TlsClients;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's listener certificate from Vault PKI ({@code portcullis.tls.source=vault}, issue 5
 * item 5): issued with the service's own AppRole before the web server starts, renewed at two
 * thirds of its lifetime, and renewed on an admin's request, while clients keep their connections
 * open and keep sending requests. Every request succeeds; connections opened before a renewal keep
 * their certificate; new connections get the new one (HTTPS and the gRPC listener).
 *
 * <p>The certificate lives 5 minutes here, the shortest the service accepts (the role backdates it
 * 30 s, so it is renewed about 3 minutes after it was issued, leaving well over the gRPC
 * listener's one-minute reload before it expires); nothing in the assertions depends on how long
 * anything takes: waits are polls with generous deadlines.
 */
class ServiceTlsRenewalIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration DEADLINE = Duration.ofMinutes(6);
    private static final int CLIENTS = 4;

    private static Path work;
    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static List<X509Certificate> ca;
    private static BigInteger stale;

    @BeforeAll
    static void start() throws IOException {
        LocalStack stack = LocalStack.require();
        work = Files.createTempDirectory("portcullis-tls-it-");
        keycloak = new KeycloakRealm(stack);
        try (OpenBaoPki pki = new OpenBaoPki(stack)) {
            ca = OpenBaoPki.certificates(pki.caPem("pki"));
        }
        stale = plantStaleCertificate(work.resolve("tls"));
        service = WiredService.withVault(stack, work)
                .property("portcullis.tls.source", "vault")
                .property("portcullis.tls.certificate-file", work.resolve("tls/service.pem").toString())
                .property("portcullis.tls.private-key-file", work.resolve("tls/service-key.pem").toString())
                .property("portcullis.tls.common-name", "localhost")
                .property("portcullis.tls.alt-names", "localhost")
                .property("portcullis.tls.ip-sans", "127.0.0.1")
                .property("portcullis.tls.ttl", "5m")
                .property("portcullis.tls.check-interval", "2s")
                .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    void certificateIsRenewedAutomaticallyAndOnRequestWhileClientsKeepSendingWithoutASingleFailure() throws Exception {
        Path certificateFile = work.resolve("tls/service.pem");
        Path keyFile = work.resolve("tls/service-key.pem");
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        BigInteger first = OpenBaoPki.certificates(Files.readString(certificateFile)).get(0).getSerialNumber();
        assertThat(first).as("a valid certificate left on disk by an earlier run, from another CA, is replaced at start")
                .isNotEqualTo(stale);
        assertThat(servedSerial()).as("the certificate issued before the web server started is served").isEqualTo(first);

        String token = keycloak.accessToken("alice");
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Observation> observations = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int client = i;
            clients.add(Thread.ofPlatform().name("tls-client-" + i).start(() -> {
                // One HttpClient per client: it keeps its connection open between requests.
                HttpClient http = TlsClients.anonymous(ca);
                while (running.get()) {
                    try {
                        HttpResponse<String> response = http.send(decision(token), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            failures.add("client " + client + ": HTTP " + response.statusCode() + " " + response.body());
                        } else {
                            X509Certificate peer = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
                            observations.add(new Observation(client, Instant.now(), peer.getSerialNumber()));
                        }
                        Thread.sleep(400);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        failures.add("client " + client + ": " + e);
                    }
                }
            }));
        }

        // 1. Automatic renewal at two thirds of the lifetime: new connections get a new certificate.
        BigInteger renewed = awaitServed(s -> !s.equals(first), "an automatically renewed certificate");
        Instant renewedSeen = Instant.now();

        // 2. Renewal on an admin's request.
        Http.Answer renew = new Http(TlsClients.anonymous(ca)).post(uri("/v1/admin/tls/renew"), keycloak.accessToken("sec-admin"), null);
        assertThat(renew.status()).as(renew.body()).isEqualTo(200);
        String requested = renew.json().path("serial_number").asString();
        BigInteger onRequest = new BigInteger(requested.replace(":", ""), 16);
        assertThat(onRequest).isNotIn(first, renewed);
        awaitServed(s -> !s.equals(first) && !s.equals(renewed), "the certificate renewed on request");
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        // The gRPC listener serves the same files (it re-reads them every minute).
        awaitGrpcServed(s -> !s.equals(first));

        // Let every client send a few more requests, then stop them.
        int seen = observations.size();
        await(() -> observations.size() >= seen + 4 * CLIENTS, "more requests after the renewals");
        running.set(false);
        for (Thread client : clients) {
            client.join(Duration.ofMinutes(1));
        }

        System.out.printf("TLS renewal: %d requests from %d clients, %d failed; served serials %s%n", observations.size(),
                CLIENTS, failures.size(), observations.stream().map(o -> o.serial().toString(16)).distinct().toList());
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(observations).as("requests answered").hasSizeGreaterThan(4 * CLIENTS);
        // Connections opened before the renewal kept their certificate after new connections got the new one.
        assertThat(observations).filteredOn(o -> o.serial().equals(first) && o.at().isAfter(renewedSeen))
                .as("requests on connections opened before the renewal, answered after it").isNotEmpty();
        assertThat(service.audit().events()).filteredOn(e -> e.type() == EventType.ADMIN_ACTION
                        && "renew-certificate".equals(e.action()))
                .singleElement().satisfies(e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
                    assertThat(e.actor().subject()).isEqualTo("sec-admin");
                    assertThat(e.attributes()).containsEntry("serial_after", requested);
                });
        Http.Answer health = new Http().get(service.managementUri("/actuator/health"), null);
        assertThat(JSON.readTree(health.body()).path("components").path("serviceCertificate").path("status").asString())
                .isEqualTo("UP");
    }

    /**
     * Leaves what an earlier run against another CA would have left (a dev-mode OpenBao restarts with
     * a new PKI root): a certificate for the right names, valid for a day, with its key.
     */
    private static BigInteger plantStaleCertificate(Path tls) throws IOException {
        TestCertificates.Issued old = TestCertificates.Authority.create("Earlier run's CA").leaf()
                .validity(Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)))
                .uris().dnsName("localhost").extendedKeyUsages(KeyPurposeId.id_kp_serverAuth).issue();
        Files.createDirectories(tls);
        Files.writeString(tls.resolve("service.pem"), TestCertificates.pem(old.certificate()));
        String key = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(old.keyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(tls.resolve("service-key.pem"), key);
        Files.setPosixFilePermissions(tls.resolve("service-key.pem"), PosixFilePermissions.fromString("rw-------"));
        return old.serial();
    }

    private record Observation(int client, Instant at, BigInteger serial) {
    }

    private static HttpRequest decision(String token) {
        return HttpRequest.newBuilder(uri("/v1/decisions")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("method", "GET", "path", "/orders/7", "token", token))))
                .build();
    }

    private static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + service.port() + path);
    }

    /** The serial of the certificate a new HTTPS connection gets (a new client, so a new connection). */
    private static BigInteger servedSerial() throws IOException, InterruptedException {
        try (HttpClient fresh = TlsClients.anonymous(ca)) {
            HttpResponse<Void> response = fresh.send(HttpRequest.newBuilder(uri("/openapi.yaml")).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static BigInteger awaitServed(java.util.function.Predicate<BigInteger> wanted, String what) throws Exception {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (true) {
            BigInteger served = servedSerial();
            if (wanted.test(served)) {
                return served;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("new connections never got " + what + "; still " + served.toString(16));
            }
            Thread.sleep(1000);
        }
    }

    private static void awaitGrpcServed(java.util.function.Predicate<BigInteger> wanted) throws Exception {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (true) {
            BigInteger served = grpcSerial();
            if (wanted.test(served)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the gRPC listener never served a renewed certificate; still " + served.toString(16));
            }
            Thread.sleep(2000);
        }
    }

    /** The serial of the certificate the gRPC listener presents in a TLS handshake (ALPN h2, as gRPC clients offer). */
    private static BigInteger grpcSerial() throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < ca.size(); i++) {
            store.setCertificateEntry("ca-" + i, ca.get(i));
        }
        trust.init(store);
        context.init(null, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", service.grpcPort()), 5000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.get()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(500);
        }
    }
}
