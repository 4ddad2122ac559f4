package dev.portcullis.authz.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.pki.PkiCertificateRenewer;
import dev.portcullis.keys.pki.VaultPkiIssuer;
import dev.portcullis.keys.vault.VaultClient;

/**
 * Makes sure the service's TLS certificate exists before the web server is created, when
 * {@code portcullis.tls.source=vault} ({@link TlsProperties}): Tomcat reads its certificate while
 * the context refreshes, long before any bean could issue one. Runs first (registered in
 * {@code META-INF/spring.factories}); does nothing for {@code source=files}.
 *
 * <ol>
 *   <li>Adds the settings that make the listeners serve the files, as defaults that explicit
 *       configuration overrides: {@code server.ssl.bundle=portcullis-service}, that PEM bundle
 *       with {@code reload-on-update=true}, and the gRPC listener's certificate and key.
 *   <li>Logs in with the {@code portcullis.vault.service} credential and issues a new certificate
 *       (the key file written 0600, both atomically), whatever is on disk. Vault failing here stops
 *       the start: there is no certificate to serve.
 *   <li>Hands the Vault connection to the context ({@link VaultConfiguration.EarlyServiceVault}),
 *       so the service does not log in twice.
 * </ol>
 * From then on {@link ServiceTlsConfiguration}'s renewer keeps the certificate fresh.
 */
public final class ServiceCertificateInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static final Logger log = LoggerFactory.getLogger(ServiceCertificateInitializer.class);
    static final String DEFAULTS = "portcullisServiceTlsDefaults";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        Binder binder = Binder.get(environment);
        TlsProperties tls = binder.bindOrCreate("portcullis.tls", TlsProperties.class);
        tls.check();
        if (!tls.fromVault()) {
            return;
        }
        addListenerDefaults(environment, tls);
        VaultProperties vaultProperties = binder.bindOrCreate("portcullis.vault", VaultProperties.class);
        Clock clock = Clock.systemUTC();
        VaultClient vault = VaultClients.build(vaultProperties, VaultClients.SERVICE, clock);
        if (vault == null) {
            throw new IllegalStateException("portcullis.tls.source=vault needs portcullis.vault.address and the"
                    + " portcullis.vault.service credential");
        }
        // Always a fresh certificate (and key) at start, never the one a previous run left on disk:
        // that one may come from a CA Vault no longer has (a dev-mode OpenBao restarted, a PKI mount
        // re-created) or carry names the configuration no longer asks for, and clients would reject
        // it. One PKI issue per start is cheap; a service nobody can connect to is not.
        try (PkiCertificateRenewer first = renewer(vault, tls, clock)) {
            first.renewNow();
            log.info("issued the service certificate {} from Vault PKI ({}/issue/{})", first.status().serialNumber(),
                    tls.pkiMount(), tls.role());
        } catch (KeyException e) {
            throw new IllegalStateException("cannot issue the service's TLS certificate from Vault PKI "
                    + tls.pkiMount() + "/issue/" + tls.role() + ": " + e.reason() + " (" + e.getMessage() + ")", e);
        }
        context.getBeanFactory().registerSingleton(VaultConfiguration.EarlyServiceVault.BEAN_NAME,
                new VaultConfiguration.EarlyServiceVault(vault));
    }

    static PkiCertificateRenewer renewer(VaultClient vault, TlsProperties tls, Clock clock) {
        VaultPkiIssuer.Request request = new VaultPkiIssuer.Request(tls.role(), tls.commonName(), tls.altNames(),
                tls.ipSans(), java.util.List.of(), tls.ttl());
        return PkiCertificateRenewer.builder(new VaultPkiIssuer(vault, tls.pkiMount()), request, tls.certificateFile(),
                        tls.privateKeyFile())
                .clock(clock)
                .checkInterval(tls.checkInterval())
                .build();
    }

    /**
     * When the certificate in {@code certificateFile} is due for renewal (two thirds of its
     * lifetime), or null when there is none usable (missing, unreadable, no key beside it).
     */
    static Instant renewAt(Path certificateFile, Path keyFile) {
        if (!Files.isReadable(certificateFile) || !Files.isReadable(keyFile)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(certificateFile)) {
            X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            Instant notBefore = leaf.getNotBefore().toInstant();
            Instant notAfter = leaf.getNotAfter().toInstant();
            long lifetime = Duration.between(notBefore, notAfter).toMillis();
            return notBefore.plusMillis((long) (lifetime * PkiCertificateRenewer.RENEW_AT_FRACTION));
        } catch (IOException | CertificateException | ClassCastException e) {
            log.warn("the service certificate in {} cannot be read ({}); issuing a new one", certificateFile,
                    e.getClass().getSimpleName());
            return null;
        }
    }

    private static void addListenerDefaults(ConfigurableEnvironment environment, TlsProperties tls) {
        String configured = environment.getProperty("server.ssl.bundle");
        if (configured != null && !configured.equals(TlsProperties.BUNDLE)) {
            log.warn("portcullis.tls.source=vault but server.ssl.bundle={}: the HTTPS listener will not serve the"
                    + " certificate issued from Vault", configured);
        }
        String prefix = "spring.ssl.bundle.pem." + TlsProperties.BUNDLE;
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("server.ssl.bundle", TlsProperties.BUNDLE);
        defaults.put(prefix + ".keystore.certificate", "file:" + tls.certificateFile().toAbsolutePath());
        defaults.put(prefix + ".keystore.private-key", "file:" + tls.privateKeyFile().toAbsolutePath());
        defaults.put(prefix + ".reload-on-update", "true");
        defaults.put("portcullis.grpc.certificate", tls.certificateFile().toAbsolutePath().toString());
        defaults.put("portcullis.grpc.private-key", tls.privateKeyFile().toAbsolutePath().toString());
        // Last: anything configured explicitly wins.
        environment.getPropertySources().addLast(new MapPropertySource(DEFAULTS, defaults));
    }
}
