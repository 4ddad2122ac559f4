package dev.portcullis.keys.pki;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.SecretBytes;

/**
 * A certificate issued by Vault PKI with its private key: the leaf and issuing chain as PEM (not
 * secret), the PKCS#8 private key as PEM in {@link SecretBytes} (secret). Close it to wipe the key.
 */
public final class IssuedCertificate implements AutoCloseable {

    private final String certificatePem;
    private final String chainPem;
    private final SecretBytes privateKeyPem;
    private final X509Certificate certificate;
    private final String serialNumber;

    IssuedCertificate(String certificatePem, String chainPem, SecretBytes privateKeyPem, String serialNumber) {
        this.certificatePem = Objects.requireNonNull(certificatePem, "certificatePem cannot be null").strip() + "\n";
        this.chainPem = Objects.requireNonNull(chainPem, "chainPem cannot be null").strip() + "\n";
        this.privateKeyPem = Objects.requireNonNull(privateKeyPem, "privateKeyPem cannot be null");
        this.serialNumber = serialNumber;
        this.certificate = parse(this.certificatePem).get(0);
    }

    /** The leaf certificate, PEM. */
    public String certificatePem() {
        return certificatePem;
    }

    /** The issuing CA chain, PEM (leaf excluded). */
    public String chainPem() {
        return chainPem;
    }

    /** The leaf followed by its chain, PEM: what a TLS server presents. */
    public String fullChainPem() {
        return certificatePem + chainPem;
    }

    /** The PKCS#8 private key, PEM. */
    public SecretBytes privateKeyPem() {
        return privateKeyPem;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Vault's serial number of the certificate ({@code xx:xx:...}). */
    public String serialNumber() {
        return serialNumber;
    }

    public Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /** A PKCS#12 key store holding the key and its chain under {@code alias} (e.g. for a TLS client). */
    public KeyStore toKeyStore(String alias, char[] password) {
        byte[] pem = privateKeyPem.toByteArray();
        byte[] der = null;
        try {
            String text = new String(pem, StandardCharsets.US_ASCII);
            if (!text.contains("BEGIN PRIVATE KEY")) {
                throw new KeyException(Reason.REJECTED, "Vault returned a private key that is not PKCS#8");
            }
            der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
            PrivateKey key = KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            List<X509Certificate> chain = new ArrayList<>(parse(fullChainPem()));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, key, password, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new KeyException(Reason.REJECTED, "cannot load the issued certificate into a key store: " + e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(pem, (byte) 0);
            if (der != null) {
                java.util.Arrays.fill(der, (byte) 0);
            }
        }
    }

    static List<X509Certificate> parse(String pem) {
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : all) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new KeyException(Reason.REJECTED, "Vault returned no certificate");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new KeyException(Reason.REJECTED, "Vault returned a malformed certificate: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        privateKeyPem.destroy();
    }

    @Override
    public String toString() {
        return "IssuedCertificate[" + certificate.getSubjectX500Principal() + ", serial " + serialNumber
                + ", until " + notAfter() + ", key redacted]";
    }
}
