package dev.portcullis.authz.config;

import java.net.URI;
import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.authz.fields.FieldsLimits;
import dev.portcullis.fields.DocumentCipher;
import dev.portcullis.fields.FieldCipher;
import dev.portcullis.fields.FieldCryptoService;
import dev.portcullis.fields.keys.DataKeyRepository;
import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.fields.policy.OpaHttpFieldAccessPolicy;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;

/**
 * Wires field-level encryption ({@link FieldsProperties}; docs/field-encryption.md): the
 * file-backed key store (whenever {@code portcullis.fields.key-store} is set, so that the key
 * rotation scheduler re-wraps it even on an instance that does not serve the field endpoints),
 * and, with {@code portcullis.fields.enabled=true}, the {@link Keyring} over Vault Transit on the
 * service's credential, the OPA field policy and the {@link FieldCryptoService} behind
 * {@code /v1/fields/*} and {@code /v1/admin/fields/forget-subject}, auditing into the service's log.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(FieldsProperties.class)
class FieldsConfiguration {

    @Bean
    @ConditionalOnProperty(prefix = "portcullis.fields", name = "key-store")
    DataKeyRepository fieldKeyStore(FieldsProperties properties, Clock clock) {
        return new FileDataKeyRepository(properties.keyStore(), clock);
    }

    @Bean
    @ConditionalOnBooleanProperty("portcullis.fields.enabled")
    Keyring fieldKeyring(FieldsProperties properties, ObjectProvider<DataKeyRepository> store,
            ObjectProvider<VaultClients> vault, Clock clock) {
        DataKeyRepository repository = store.getIfAvailable();
        if (repository == null) {
            throw new IllegalStateException("portcullis.fields.enabled needs portcullis.fields.key-store (a folder"
                    + " for the wrapped data keys)");
        }
        VaultClients clients = vault.getIfAvailable();
        if (clients == null) {
            throw new IllegalStateException("portcullis.fields.enabled needs Vault: set portcullis.vault.address and"
                    + " the portcullis.vault.service credential");
        }
        return Keyring.builder(repository, new VaultTransitKeyWrapper(clients.service(), properties.transitMount()),
                        properties.kek())
                .clock(clock)
                .cacheTtl(properties.cacheTtl())
                .build();
    }

    @Bean
    @ConditionalOnBooleanProperty("portcullis.fields.enabled")
    FieldCryptoService fieldCryptoService(FieldsProperties properties, PortcullisProperties portcullis, Keyring keyring,
            AuditLog audit, Clock clock) {
        URI opa = properties.opaUrl() != null ? properties.opaUrl() : portcullis.opa().url();
        return new FieldCryptoService(new DocumentCipher(new FieldCipher(keyring), keyring), keyring,
                new OpaHttpFieldAccessPolicy(opa, properties.policyTimeout()), audit, clock);
    }

    @Bean
    @ConditionalOnBooleanProperty("portcullis.fields.enabled")
    FieldsLimits fieldsLimits(FieldsProperties properties) {
        long max = properties.maxBodyBytes().toBytes();
        if (max < 2 || max > 64L * 1024 * 1024) {
            throw new IllegalStateException("portcullis.fields.max-body-bytes must be between 2 bytes and 64MB, was "
                    + properties.maxBodyBytes());
        }
        return new FieldsLimits((int) max);
    }
}
