package dev.portcullis.keys.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.testing.MutableClock;
import dev.portcullis.keys.testing.StackVault;
import dev.portcullis.keys.testing.TcpRelay;
import dev.portcullis.keys.vault.RetryPolicy;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;

/** The service-certificate renewer and the workload-certificate helper with real OpenBao PKI certificates. */
class PkiCertificateRenewerIT {

    @TempDir
    Path dir;

    private StackVault bao;
    private MutableClock clock;

    @BeforeEach
    void setUp() {
        bao = StackVault.require();
        clock = new MutableClock(Instant.now());
    }

    private static VaultPkiIssuer.Request serviceRequest() {
        return new VaultPkiIssuer.Request(VaultPkiIssuer.SERVICE_ROLE, "localhost", List.of("localhost"),
                List.of("127.0.0.1"), List.of(), Duration.ofHours(1));
    }

    /** The service's own AppRole: the renewer works with the least-privilege policy. */
    private VaultClient serviceClient(URI address) {
        String roleId = bao.root().read("auth/approle/role/portcullis-service/role-id").getString("role_id", null);
        String secretId = bao.root().write("auth/approle/role/portcullis-service/secret-id", Map.of()).getString("secret_id", null);
        return VaultClient.builder(address)
                .authentication(VaultAuthentication.appRole(roleId, SecretBytes.copyOf(secretId.getBytes(StandardCharsets.UTF_8))))
                .allowPlaintextHttpForDevelopment()
                .retryPolicy(RetryPolicy.of(2, Duration.ofMillis(10), Duration.ofMillis(20)))
                .build();
    }

    private PkiCertificateRenewer renewer(VaultClient client) {
        return PkiCertificateRenewer.builder(new VaultPkiIssuer(client), serviceRequest(),
                dir.resolve("service.pem"), dir.resolve("service-key.pem"))
                .clock(clock).backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)).build();
    }

    @Test
    void firstTickWritesAMatchingCertificateAndAKeyOnlyTheOwnerCanRead() throws Exception {
        PkiCertificateRenewer renewer = renewer(serviceClient(bao.address()));

        assertThat(renewer.tick()).isTrue();

        assertThat(Files.getPosixFilePermissions(dir.resolve("service-key.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        List<X509Certificate> chain = IssuedCertificate.parse(Files.readString(dir.resolve("service.pem")));
        assertThat(chain).hasSizeGreaterThanOrEqualTo(2);
        X509Certificate leaf = chain.get(0);
        assertThat(leaf.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("127.0.0.1"));
        leaf.verify(chain.get(1).getPublicKey());
        assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
                .isLessThanOrEqualTo(Duration.ofHours(1).plusMinutes(1));
        assertThat(keyMatches(dir.resolve("service-key.pem"), leaf)).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("service.pem", "service-key.pem");
        }
    }

    @Test
    void renewsAtTwoThirdsOfTheLifetimeAndNotBefore() throws Exception {
        PkiCertificateRenewer renewer = renewer(serviceClient(bao.address()));
        renewer.tick();
        PkiCertificateRenewer.Status first = renewer.status();
        Instant renewAt = first.renewAt();
        assertThat(renewAt).isEqualTo(PkiCertificateRenewer.renewAt(first.notBefore(), first.notAfter()));

        clock.set(renewAt.minusSeconds(1));
        assertThat(renewer.tick()).isFalse();
        assertThat(renewer.status().serialNumber()).isEqualTo(first.serialNumber());

        clock.set(renewAt);
        assertThat(renewer.tick()).isTrue();
        assertThat(renewer.status().serialNumber()).isNotEqualTo(first.serialNumber());
        X509Certificate leaf = IssuedCertificate.parse(Files.readString(dir.resolve("service.pem"))).get(0);
        assertThat(leaf.getSerialNumber().toString(16)).isEqualTo(renewer.status().serialNumber().replace(":", "").replaceFirst("^0+", ""));
        assertThat(keyMatches(dir.resolve("service-key.pem"), leaf)).isTrue();
    }

    @Test
    void whenVaultIsDownTheCurrentFilesStayAndItRetriesWithBackoffUntilVaultIsBack() throws Exception {
        try (TcpRelay relay = new TcpRelay(new InetSocketAddress("127.0.0.1", bao.address().getPort()))) {
            PkiCertificateRenewer renewer = renewer(serviceClient(URI.create("http://127.0.0.1:" + relay.port())));
            assertThat(renewer.tick()).isTrue();
            String serial = renewer.status().serialNumber();
            byte[] certificate = Files.readAllBytes(dir.resolve("service.pem"));
            Instant renewAt = renewer.status().renewAt();

            relay.down();
            clock.set(renewAt);
            assertThat(renewer.tick()).isFalse();
            assertThat(renewer.status().consecutiveFailures()).isEqualTo(1);
            assertThat(renewer.status().lastFailure()).startsWith("UNAVAILABLE");
            assertThat(renewer.status().nextAttempt()).isEqualTo(renewAt.plusSeconds(1));
            assertThat(Files.readAllBytes(dir.resolve("service.pem"))).isEqualTo(certificate);

            clock.set(renewAt.plusMillis(500));
            assertThat(renewer.tick()).isFalse();
            assertThat(renewer.status().consecutiveFailures()).as("no attempt during the backoff").isEqualTo(1);

            clock.set(renewAt.plusSeconds(1));
            assertThat(renewer.tick()).isFalse();
            assertThat(renewer.status().consecutiveFailures()).isEqualTo(2);
            assertThat(renewer.status().nextAttempt()).isEqualTo(renewAt.plusSeconds(3));

            relay.up();
            clock.set(renewAt.plusSeconds(3));
            assertThat(renewer.tick()).isTrue();
            assertThat(renewer.status().serialNumber()).isNotEqualTo(serial);
            assertThat(renewer.status().consecutiveFailures()).isZero();
        }
    }

    @Test
    void workloadCertificatesCarryTheSpiffeIdAndLoadIntoAKeyStore() throws Exception {
        VaultPkiIssuer issuer = new VaultPkiIssuer(bao.root());
        try (IssuedCertificate issued = issuer.issueWorkloadCertificate("spiffe://portcullis.test/ns/shop/sa/orders", Duration.ofMinutes(10))) {
            assertThat(issued.certificate().getSubjectAlternativeNames())
                    .anySatisfy(san -> assertThat(List.copyOf(san)).isEqualTo(List.of(6, "spiffe://portcullis.test/ns/shop/sa/orders")));
            assertThat(issued.certificate().getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2"); // clientAuth
            KeyStore store = issued.toKeyStore("client", "changeit".toCharArray());
            assertThat(store.getCertificateChain("client")).hasSizeGreaterThanOrEqualTo(2);
            assertThat(store.getKey("client", "changeit".toCharArray())).isInstanceOf(PrivateKey.class);
        }
        assertThatThrownBy(() -> issuer.issueWorkloadCertificate("spiffe://evil.example/sa/x", Duration.ofMinutes(10)))
                .isInstanceOf(KeyException.class)
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(KeyException.Reason.REJECTED));
    }

    private static boolean keyMatches(Path keyPem, X509Certificate certificate) throws Exception {
        String text = Files.readString(keyPem);
        byte[] der = java.util.Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
        byte[] message = "proof of possession".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(message);
        return verifier.verify(signature);
    }
}
