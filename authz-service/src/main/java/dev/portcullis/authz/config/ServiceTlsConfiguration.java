package dev.portcullis.authz.config;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.authz.admin.tls.ServiceCertificate;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.pki.PkiCertificateRenewer;

/**
 * Keeps the service's TLS certificate from Vault PKI fresh when {@code portcullis.tls.source=vault}
 * ({@link TlsProperties}; the first one is issued by {@link ServiceCertificateInitializer} before
 * the web server starts). A {@link PkiCertificateRenewer} on the service's Vault credential renews
 * it at two thirds of its lifetime, retrying with backoff while Vault is down; the HTTPS listener
 * (PEM bundle with reload-on-update) and the gRPC listener pick the new files up without a restart.
 * Also the {@code serviceCertificate} health component and the {@link ServiceCertificate} behind
 * {@code /v1/admin/tls}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TlsProperties.class)
@ConditionalOnProperty(name = "portcullis.tls.source", havingValue = "vault")
class ServiceTlsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ServiceTlsConfiguration.class);

    @Bean
    RenewingServiceCertificate serviceCertificate(TlsProperties tls, ObjectProvider<VaultClients> vault, Clock clock) {
        VaultClients clients = vault.getIfAvailable();
        if (clients == null) {
            throw new IllegalStateException("portcullis.tls.source=vault needs portcullis.vault.address and the"
                    + " portcullis.vault.service credential");
        }
        return new RenewingServiceCertificate(ServiceCertificateInitializer.renewer(clients.service(), tls, clock), tls, clock);
    }

    /**
     * Health: DOWN when the certificate on disk has expired (new handshakes fail), UP otherwise,
     * with the failures of renewal attempts as details (the certificate still being valid).
     */
    @Bean
    HealthIndicator serviceCertificateHealthIndicator(RenewingServiceCertificate certificate, Clock clock) {
        return () -> {
            PkiCertificateRenewer.Status s = certificate.status();
            boolean expired = s.notAfter() == null || !clock.instant().isBefore(s.notAfter());
            Health.Builder builder = expired ? Health.down() : Health.up();
            if (s.serialNumber() != null) {
                builder.withDetail("serial_number", s.serialNumber());
            }
            if (s.notAfter() != null) {
                builder.withDetail("not_after", s.notAfter().toString());
            }
            if (s.renewAt() != null) {
                builder.withDetail("renew_at", s.renewAt().toString());
            }
            if (s.consecutiveFailures() > 0) {
                builder.withDetail("consecutive_failures", s.consecutiveFailures()).withDetail("last_failure", s.lastFailure());
            }
            return builder.build();
        };
    }

    /**
     * The renewer, driven on a daemon thread. Until the renewer has issued a certificate itself, it
     * goes by the one on disk (issued by the initializer, or by an earlier run): nothing is issued
     * before that one is due, so a restart does not cost a certificate.
     */
    static final class RenewingServiceCertificate implements ServiceCertificate, SmartLifecycle {
        private final PkiCertificateRenewer renewer;
        private final TlsProperties tls;
        private final Clock clock;
        private ScheduledExecutorService executor;

        RenewingServiceCertificate(PkiCertificateRenewer renewer, TlsProperties tls, Clock clock) {
            this.renewer = renewer;
            this.tls = tls;
            this.clock = clock;
        }

        @Override
        public PkiCertificateRenewer.Status status() {
            PkiCertificateRenewer.Status own = renewer.status();
            if (own.serialNumber() != null) {
                return own;
            }
            X509Certificate onDisk = readLeaf();
            if (onDisk == null) {
                return own;
            }
            return new PkiCertificateRenewer.Status(vaultSerial(onDisk.getSerialNumber()), onDisk.getNotBefore().toInstant(),
                    onDisk.getNotAfter().toInstant(),
                    ServiceCertificateInitializer.renewAt(tls.certificateFile(), tls.privateKeyFile()),
                    own.nextAttempt(), own.consecutiveFailures(), own.lastFailure());
        }

        @Override
        public PkiCertificateRenewer.Status renewNow() throws KeyException {
            renewer.renewNow();
            return renewer.status();
        }

        void check() {
            try {
                if (renewer.status().serialNumber() == null) {
                    Instant due = ServiceCertificateInitializer.renewAt(tls.certificateFile(), tls.privateKeyFile());
                    if (due != null && clock.instant().isBefore(due)) {
                        return;
                    }
                }
                renewer.tick();
            } catch (RuntimeException e) {
                // tick() reports Vault failures itself; this is a file-system or programming error.
                log.error("service certificate renewal check failed", e);
            }
        }

        @Override
        public synchronized void start() {
            executor = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("portcullis-tls-renewal").factory());
            long every = Math.max(1, tls.checkInterval().toMillis());
            executor.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
            log.info("service certificate renewal on (checks every {}, renews at 2/3 of the lifetime)", tls.checkInterval());
        }

        @Override
        public synchronized void stop() {
            if (executor != null) {
                executor.shutdownNow();
                executor = null;
            }
            renewer.close();
        }

        @Override
        public synchronized boolean isRunning() {
            return executor != null;
        }

        private X509Certificate readLeaf() {
            try (InputStream in = Files.newInputStream(tls.certificateFile())) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            } catch (IOException | CertificateException | ClassCastException e) {
                return null;
            }
        }

        /** A serial number as Vault writes it: lower-case hex byte pairs separated by colons. */
        static String vaultSerial(BigInteger serial) {
            String hex = serial.toString(16);
            if (hex.length() % 2 == 1) {
                hex = "0" + hex;
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < hex.length(); i += 2) {
                if (i > 0) {
                    out.append(':');
                }
                out.append(hex, i, i + 2);
            }
            return out.toString();
        }
    }

}
