package dev.portcullis.authz.config;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.vault.VaultClient;

/**
 * Wires the service's Vault connections ({@link VaultProperties}) when {@code portcullis.vault.address}
 * is set. Each configured credential is tried once at start-up ({@code auth/token/lookup-self},
 * which both policies allow): a credential Vault refuses stops the start with a message that says
 * which one; an unreachable or sealed Vault only warns (the features that need it report DOWN in
 * health and fail closed until it is back).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(VaultProperties.class)
class VaultConfiguration {

    private static final Logger log = LoggerFactory.getLogger(VaultConfiguration.class);

    @Bean
    @ConditionalOnProperty(prefix = "portcullis.vault", name = "address")
    VaultClients vaultClients(VaultProperties properties, Clock clock, ObjectProvider<EarlyServiceVault> early) {
        EarlyServiceVault initial = early.getIfAvailable();
        VaultClient service = initial != null ? initial.client() : VaultClients.build(properties, VaultClients.SERVICE, clock);
        VaultClient rotation = VaultClients.build(properties, VaultClients.ROTATION, clock);
        check(service, VaultClients.SERVICE);
        check(rotation, VaultClients.ROTATION);
        return new VaultClients(service, rotation);
    }

    private static void check(VaultClient client, String which) {
        if (client == null) {
            return;
        }
        try {
            client.read("auth/token/lookup-self");
            log.info("Vault credential portcullis.vault.{} logged in to {}", which, client.address());
        } catch (KeyException e) {
            switch (e.reason()) {
                case UNAVAILABLE, SEALED -> log.warn("Vault credential portcullis.vault.{} could not be checked at start-up: {} ({})",
                        which, e.reason(), e.getMessage());
                default -> throw new IllegalStateException("Vault refused the credential portcullis.vault." + which + ": "
                        + e.reason() + " (" + e.getMessage() + ")", e);
            }
        }
    }

    /**
     * The service's Vault connection made before the context started, by
     * {@link ServiceCertificateInitializer} (it needed one to issue the first TLS certificate): reused
     * rather than logging in twice.
     */
    record EarlyServiceVault(VaultClient client) {
        static final String BEAN_NAME = "portcullisEarlyServiceVault";
    }
}
