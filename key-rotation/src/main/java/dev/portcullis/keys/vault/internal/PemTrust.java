package dev.portcullis.keys.vault.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;

/** Builds an {@link SSLContext} that trusts exactly the CA certificates of a PEM file. */
public final class PemTrust {

    private PemTrust() {
    }

    /** A TLS context trusting only the certificates in {@code pemFile}; fails naming the file. */
    public static SSLContext sslContextTrusting(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new KeyException(Reason.MISCONFIGURED, "no certificate in " + pemFile
                        + "; expected the PEM of the CA that issued Vault's TLS certificate");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new KeyException(Reason.MISCONFIGURED, "cannot read Vault CA certificates from " + pemFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new KeyException(Reason.MISCONFIGURED, "cannot use the CA certificates in " + pemFile + ": " + e.getMessage(), e);
        }
    }
}
