package dev.portcullis.authz.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who signs the audit log's checkpoints ({@code portcullis.audit.signer}, beside the other
 * {@code portcullis.audit.*} settings of {@link PortcullisProperties}).
 *
 * @param signer {@code local}: an Ed25519 key file ({@code portcullis.audit.signing-key-file});
 *     {@code vault}: the Vault Transit ed25519 key {@code vault-key}, which never leaves Vault, used
 *     with the service's Vault credential (docs/keys.md, "Audit checkpoint signing")
 * @param vaultKey the Transit key that signs when {@code signer=vault}
 * @param transitMount its Transit mount
 */
@ConfigurationProperties("portcullis.audit")
public record AuditSigningProperties(
        @DefaultValue("local") String signer,
        @DefaultValue("portcullis-audit-checkpoint") String vaultKey,
        @DefaultValue("transit") String transitMount) {
}
