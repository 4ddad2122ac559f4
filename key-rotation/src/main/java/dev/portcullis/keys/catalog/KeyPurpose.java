package dev.portcullis.keys.catalog;

import java.util.Arrays;
import java.util.Optional;

/** What a managed key is for; decides which key types it may have and how it is rotated. */
public enum KeyPurpose {
    /** Transit key-encryption key for field-level (envelope) encryption: rotated, then re-wrapped. */
    FIELD_ENCRYPTION_KEK("field-encryption-kek"),
    /** Transit signing key of the audit log's checkpoints: rotated; old versions keep verifying. */
    AUDIT_CHECKPOINT_SIGNING("audit-checkpoint-signing"),
    /**
     * The service's TLS certificate and key from Vault PKI: renewed by
     * {@code dev.portcullis.keys.pki.PkiCertificateRenewer}, not by the Transit rotation scheduler.
     */
    SERVICE_TLS("service-tls");

    private final String configName;

    KeyPurpose(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration and JSON, e.g. {@code field-encryption-kek}. */
    public String configName() {
        return configName;
    }

    public static Optional<KeyPurpose> fromConfigName(String name) {
        return Arrays.stream(values()).filter(p -> p.configName.equals(name)).findFirst();
    }

    /** Whether the key is a Vault Transit key that the rotation scheduler rotates. */
    public boolean isTransit() {
        return this != SERVICE_TLS;
    }
}
