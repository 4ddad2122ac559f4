package dev.portcullis.authz.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the service's listener certificate comes from ({@code portcullis.tls.*}; docs/keys.md,
 * "Service TLS from Vault PKI").
 *
 * <p>{@code source=files} (the default) leaves TLS to Spring Boot's own settings
 * ({@code server.ssl.*}, {@code spring.ssl.bundle.*}). {@code source=vault} issues the certificate
 * from Vault PKI ({@code <pki-mount>/issue/<role>}) with the service's Vault credential, writes it
 * and its key as PEM files, renews it once two thirds of its lifetime have passed, and serves it on
 * the HTTPS listener (an SSL bundle named {@value #BUNDLE} that reloads on change) and on the gRPC
 * listener (which re-reads the files every minute). The first certificate is issued before the web
 * server starts, when there is none on disk or the one there is past two thirds of its life.
 *
 * @param certificateFile the full chain, leaf first (mode 0644)
 * @param privateKeyFile the leaf's PKCS#8 key (created 0600)
 * @param commonName the leaf's common name; must be allowed by the PKI role
 * @param altNames DNS subject alternative names
 * @param ipSans IP subject alternative names
 * @param ttl the lifetime asked for (the role's max_ttl caps it)
 * @param checkInterval how often the renewer looks at the clock
 */
@ConfigurationProperties("portcullis.tls")
public record TlsProperties(
        @DefaultValue("files") String source,
        Path certificateFile,
        Path privateKeyFile,
        @DefaultValue("pki") String pkiMount,
        @DefaultValue("portcullis-service") String role,
        @DefaultValue("localhost") String commonName,
        @DefaultValue List<String> altNames,
        @DefaultValue List<String> ipSans,
        @DefaultValue("24h") Duration ttl,
        @DefaultValue("15s") Duration checkInterval) {

    /** The shortest certificate lifetime accepted: its last third must cover the gRPC listener's 1-minute reload. */
    public static final Duration MIN_TTL = Duration.ofMinutes(5);

    /** The SSL bundle that {@code source=vault} defines for {@code server.ssl.bundle}. */
    public static final String BUNDLE = "portcullis-service";

    boolean fromVault() {
        return "vault".equals(source);
    }

    /** Fails naming the property when the settings of {@code source=vault} are incomplete. */
    void check() {
        if (!"files".equals(source) && !"vault".equals(source)) {
            throw new IllegalStateException("portcullis.tls.source must be files or vault, was '" + source + "'");
        }
        if (fromVault()) {
            if (certificateFile == null || privateKeyFile == null) {
                throw new IllegalStateException("portcullis.tls.source=vault needs portcullis.tls.certificate-file and"
                        + " portcullis.tls.private-key-file (where the issued certificate and key are written)");
            }
            if (certificateFile.toAbsolutePath().equals(privateKeyFile.toAbsolutePath())) {
                throw new IllegalStateException("portcullis.tls.certificate-file and private-key-file must differ");
            }
            // Renewal happens at 2/3 of the lifetime; the last third must cover the gRPC listener,
            // which re-reads the files once a minute, plus a few renewal checks. Shorter, and a
            // listener could go on serving a certificate that has just expired.
            if (ttl.compareTo(MIN_TTL) < 0) {
                throw new IllegalStateException("portcullis.tls.ttl must be at least " + MIN_TTL.toMinutes()
                        + " minutes (the gRPC listener reloads the certificate once a minute), was " + ttl);
            }
            if (checkInterval.isNegative() || checkInterval.isZero() || checkInterval.multipliedBy(10).compareTo(ttl) > 0) {
                throw new IllegalStateException("portcullis.tls.check-interval must be positive and at most a tenth of"
                        + " portcullis.tls.ttl, was " + checkInterval);
            }
        }
    }
}
