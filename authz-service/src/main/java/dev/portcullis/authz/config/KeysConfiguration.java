package dev.portcullis.authz.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.fields.keys.DataKeyRepository;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.fields.keys.RotatableKeyStore;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.admin.KeyAdministration;
import dev.portcullis.keys.admin.RotationServiceKeyAdministration;
import dev.portcullis.keys.catalog.KeyCatalog;
import dev.portcullis.keys.catalog.KeyPurpose;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.rotation.KeyHealth;
import dev.portcullis.keys.rotation.KeyRotationMetrics;
import dev.portcullis.keys.rotation.KeyRotationService;
import dev.portcullis.keys.rotation.RotationScheduler;
import dev.portcullis.keys.rotation.TransitKeyAdmin;
import dev.portcullis.keys.rotation.VaultKvLeaseLock;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;

/**
 * Wires key management when {@code portcullis.keys.enabled=true} (docs/keys.md): the validated
 * {@link KeyCatalog}, the {@link KeyRotationService} on the {@code rotation} Vault credential with
 * the lease lock in Vault KV, the field key store as the repository whose data keys it re-wraps
 * after each KEK rotation, the {@link RotationScheduler}, metrics, the {@code keys} health
 * component and the {@link KeyAdministration} behind {@code /v1/admin/keys}.
 *
 * <p>Health: a key that could not be read from Vault is DOWN; an overdue key is reported as
 * {@code WARNING}, a status outside Spring's aggregation order, so the component says it while the
 * service's overall health (and its probes) stay UP: an overdue rotation is an operator's problem,
 * not a reason to take the authorization service out of the load balancer.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KeysProperties.class)
@ConditionalOnBooleanProperty("portcullis.keys.enabled")
class KeysConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KeysConfiguration.class);
    static final Status WARNING = new Status("WARNING", "a key is overdue for rotation");

    @Bean
    KeyCatalog keyCatalog(KeysProperties properties) {
        return catalogOf(properties);
    }

    /** The catalog from {@code portcullis.keys.catalog.*}; every problem at once, or no start. */
    static KeyCatalog catalogOf(KeysProperties properties) {
        if (properties.catalog().isEmpty()) {
            throw new IllegalStateException("portcullis.keys.enabled is true but portcullis.keys.catalog names no key;"
                    + " e.g. portcullis.keys.catalog.portcullis-fields.purpose=field-encryption-kek (docs/keys.md)");
        }
        Map<String, String> flat = new TreeMap<>();
        properties.catalog().forEach((name, settings) -> settings.forEach(
                (setting, value) -> flat.put(KeyCatalog.PREFIX + name + "." + setting, value)));
        try {
            return KeyCatalog.fromProperties(flat);
        } catch (KeyException e) {
            throw new IllegalStateException("portcullis.keys.catalog is invalid: " + e.getMessage(), e);
        }
    }

    /** The Transit mount the rotation service rotates and re-wraps on. */
    static final String ROTATION_MOUNT = "transit";

    /**
     * The field KEK must be on the mount the rotation service works on: a field keyring on another
     * mount would never see its KEK rotated nor its data keys re-wrapped, silently.
     */
    static void requireRotationMount(String fieldsTransitMount) {
        if (fieldsTransitMount != null && !fieldsTransitMount.equals(ROTATION_MOUNT)) {
            throw new IllegalStateException("portcullis.fields.transit-mount=" + fieldsTransitMount + ", but key rotation"
                    + " (portcullis.keys.enabled) rotates and re-wraps keys on the Transit mount '" + ROTATION_MOUNT
                    + "': the field KEK would never be rotated; use '" + ROTATION_MOUNT + "' or turn key management off here");
        }
    }

    @Bean
    KeyRotationService keyRotationService(KeysProperties properties, KeyCatalog catalog,
            ObjectProvider<VaultClients> vault, AuditLog audit, Clock clock, MeterRegistry registry,
            ObjectProvider<DataKeyRepository> fieldKeyStore, ObjectProvider<Keyring> keyring,
            ObjectProvider<FieldsProperties> fields) {
        VaultClients clients = vault.getIfAvailable();
        if (clients == null) {
            throw new IllegalStateException("portcullis.keys.enabled needs Vault: set portcullis.vault.address and the"
                    + " portcullis.vault.rotation credential");
        }
        VaultClient rotation = clients.rotation();
        KeyRotationMetrics metrics = new KeyRotationMetrics(registry, clock);
        KeyRotationService.Builder builder = KeyRotationService.builder(catalog, new TransitKeyAdmin(rotation, ROTATION_MOUNT),
                        new VaultTransitKeyWrapper(rotation, ROTATION_MOUNT), new VaultKvLeaseLock(rotation, holderName(), clock), audit)
                .clock(clock)
                .lease(properties.lease())
                .batchSize(properties.batchSize())
                .overdueGrace(properties.overdueGrace())
                .metrics(metrics);
        DataKeyRepository store = fieldKeyStore.getIfAvailable();
        FieldsProperties fieldSettings = fields.getIfAvailable();
        String fieldKek = fieldSettings == null ? null : fieldSettings.kek();
        if (store != null) {
            requireRotationMount(fieldSettings == null ? null : fieldSettings.transitMount());
            builder.repository(new RotatableKeyStore(store));
            ManagedKey kek = catalog.find(fieldKek).orElse(null);
            if (kek == null || kek.purpose() != KeyPurpose.FIELD_ENCRYPTION_KEK) {
                throw new IllegalStateException("portcullis.fields.kek=" + fieldKek + " must be a key of purpose "
                        + KeyPurpose.FIELD_ENCRYPTION_KEK.configName() + " in portcullis.keys.catalog, or its data keys"
                        + " would never be re-wrapped");
            }
        } else if (catalog.keys().stream().anyMatch(k -> k.purpose() == KeyPurpose.FIELD_ENCRYPTION_KEK)) {
            log.warn("the key catalog has a field-encryption KEK but no field key store is configured"
                    + " (portcullis.fields.key-store): its min_decryption_version will never be raised");
        }
        KeyRotationService service = builder.build();
        metrics.bind(service);
        Keyring fieldKeys = keyring.getIfAvailable();
        if (fieldKeys != null) {
            // Cached field data keys were unwrapped under the old KEK version: drop them, so that the
            // next use unwraps the re-wrapped copy (and a raised minimum takes effect here at once).
            service.onRotation(name -> {
                if (name.equals(fieldKek)) {
                    fieldKeys.evictAll();
                }
            });
        }
        return service;
    }

    @Bean
    KeyAdministration keyAdministration(KeyRotationService service) {
        return new RotationServiceKeyAdministration(service);
    }

    @Bean
    RotationLifecycle keyRotationScheduler(KeysProperties properties, KeyRotationService service) {
        return new RotationLifecycle(service, properties.scheduler());
    }

    @Bean
    HealthIndicator keysHealthIndicator(KeyRotationService service) {
        return () -> health(service.health());
    }

    static Health health(KeyHealth health) {
        Health.Builder builder = switch (health.status()) {
            case UP -> Health.up();
            case WARNING -> Health.status(WARNING);
            case DOWN -> Health.down();
        };
        health.problems().forEach(builder::withDetail);
        return builder.build();
    }

    /** Unique per instance: who holds a rotation lock (host, process, random suffix). */
    private static String holderName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        return host + "/" + ProcessHandle.current().pid() + "/" + HexFormat.of().formatHex(suffix);
    }

    /**
     * Reads every key's status once when the application starts (so metrics and health are
     * meaningful at once; a failure is only logged: it is what health reports), then starts the
     * scheduler if enabled; stops it with the application.
     */
    static final class RotationLifecycle implements SmartLifecycle {
        private final KeyRotationService service;
        private final KeysProperties.Scheduler settings;
        private RotationScheduler scheduler;
        private boolean running;

        RotationLifecycle(KeyRotationService service, KeysProperties.Scheduler settings) {
            this.service = service;
            this.settings = settings;
        }

        @Override
        public synchronized void start() {
            try {
                service.statusAll();
            } catch (KeyException e) {
                log.warn("could not read the managed keys from Vault at start-up: {} ({})", e.reason(), e.getMessage());
            }
            if (settings.enabled()) {
                scheduler = new RotationScheduler(service, settings.interval());
                scheduler.start();
                log.info("key rotation scheduler started (every {})", settings.interval());
            } else {
                log.warn("key rotation scheduler is off (portcullis.keys.scheduler.enabled=false): keys rotate only on request");
            }
            running = true;
        }

        @Override
        public synchronized void stop() {
            if (scheduler != null) {
                scheduler.close();
                scheduler = null;
            }
            running = false;
        }

        @Override
        public synchronized boolean isRunning() {
            return running;
        }
    }
}
