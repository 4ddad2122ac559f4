package dev.portcullis.authz.config;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.CheckpointSigner;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.VerifierKey;
import dev.portcullis.authz.admin.audit.VerifierKeySource;
import dev.portcullis.keys.signing.VaultTransitCheckpointSigner;

/**
 * The audit checkpoint signer when it is not the local key file: {@code portcullis.audit.signer=vault}
 * makes a {@link VaultTransitCheckpointSigner} on the service's Vault credential, which
 * {@code AuditConfiguration} then uses. Also the {@link VerifierKeySource} behind
 * {@code GET /v1/admin/audit/verifier-keys}, for either signer.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuditSigningProperties.class)
class AuditSigningConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuditSigningConfiguration.class);

    @Bean
    @ConditionalOnProperty(name = "portcullis.audit.signer", havingValue = "vault")
    VaultTransitCheckpointSigner vaultCheckpointSigner(AuditSigningProperties signing, PortcullisProperties properties,
            ObjectProvider<VaultClients> vault) {
        VaultClients clients = vault.getIfAvailable();
        if (clients == null) {
            throw new IllegalStateException("portcullis.audit.signer=vault needs portcullis.vault.address and the"
                    + " portcullis.vault.service credential");
        }
        VaultTransitCheckpointSigner signer = new VaultTransitCheckpointSigner(clients.service(), signing.transitMount(),
                signing.vaultKey(), properties.audit().origin());
        // Refuse to start with a signer that cannot work (no such key, not ed25519, not allowed to
        // read it): every checkpoint would fail to be signed, and the log would go unsigned.
        List<VerifierKey> keys;
        try {
            keys = signer.verifierKeys();
        } catch (CheckpointException e) {
            throw new IllegalStateException("portcullis.audit.signer=vault: " + e.getMessage(), e);
        }
        log.info("audit checkpoints are signed in Vault by transit key {} ({} live version(s); newest verifier key {})",
                signing.vaultKey(), keys.size(), keys.get(keys.size() - 1));
        return signer;
    }

    @Bean
    VerifierKeySource verifierKeySource(AuditSigningProperties signing, PortcullisProperties properties,
            ObjectProvider<CheckpointSigner> signer) {
        switch (signing.signer()) {
            case "vault" -> {
                return ((VaultTransitCheckpointSigner) signer.getObject())::verifierKeys;
            }
            case "local" -> {
                // The key file AuditConfiguration created or loaded; only its public half leaves here.
                return () -> {
                    if (properties.audit().signingKeyFile() == null) {
                        throw new IllegalStateException("portcullis.audit.signing-key-file is not set");
                    }
                    return List.of(LocalEd25519CheckpointSigner.load(properties.audit().signingKeyFile()).verifierKey());
                };
            }
            default -> throw new IllegalStateException("portcullis.audit.signer must be local or vault, was '"
                    + signing.signer() + "'");
        }
    }
}
