package dev.portcullis.authz.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.DurabilityMode;
import dev.portcullis.audit.checkpoint.CheckpointSigner;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.SegmentFileAuditLog;

/**
 * Wires the tamper-evident audit log every decision is recorded in before it is answered: the
 * local segment store with group commit, durable by default, checkpoints signed with Ed25519.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuditConfiguration.class);

    @Bean(destroyMethod = "close")
    AuditLog auditLog(PortcullisProperties properties, Clock clock, ObjectProvider<CheckpointSigner> configuredSigner)
            throws IOException {
        PortcullisProperties.Audit audit = properties.audit();
        if (audit.directory() == null) {
            throw new IllegalStateException("portcullis.audit.directory must be set: no decision is answered without an audit record");
        }
        DurabilityMode durability = switch (audit.durability()) {
            case "durable" -> DurabilityMode.DURABLE;
            case "async" -> DurabilityMode.ASYNC;
            default -> throw new IllegalStateException("portcullis.audit.durability must be durable or async, was '"
                    + audit.durability() + "'");
        };
        if (durability == DurabilityMode.ASYNC) {
            log.warn("audit durability is ASYNC: decisions answered in the last flush interval can be lost in a crash");
        }
        // A signer bean (portcullis.audit.signer=vault: AuditSigningConfiguration) replaces the local key file.
        CheckpointSigner signer = configuredSigner.getIfAvailable();
        return SegmentFileAuditLog.builder(audit.directory(), audit.origin(), signer != null ? signer : signer(audit))
                .durability(durability)
                .clock(clock)
                .checkpointInterval(audit.checkpointInterval())
                .open();
    }

    /**
     * The checkpoint signer. A local key file is created on first start when missing (mode 0600);
     * keep it away from the log directory, so that whoever can rewrite the log cannot also re-sign it.
     */
    private static CheckpointSigner signer(PortcullisProperties.Audit audit) throws IOException {
        Path keyFile = audit.signingKeyFile();
        if (keyFile == null) {
            throw new IllegalStateException("portcullis.audit.signing-key-file must be set (an Ed25519 note key file,"
                    + " created with mode 0600 if it does not exist)");
        }
        if (keyFile.toAbsolutePath().startsWith(audit.directory().toAbsolutePath())) {
            throw new IllegalStateException("portcullis.audit.signing-key-file must not be inside the log directory "
                    + audit.directory() + ": whoever can rewrite the log could then also re-sign it");
        }
        if (!Files.exists(keyFile)) {
            LocalEd25519CheckpointSigner created = LocalEd25519CheckpointSigner.generate(audit.origin(), new SecureRandom());
            created.writeKeyFile(keyFile);
            log.info("created the audit checkpoint signing key {} ({})", keyFile, created.verifierKey());
        }
        return LocalEd25519CheckpointSigner.load(keyFile);
    }
}
