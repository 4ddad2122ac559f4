package dev.portcullis.keys.catalog;

import java.util.Objects;

/**
 * One named key of the {@link KeyCatalog}: its purpose, its type, when it rotates, and how many of
 * its newest versions stay decryptable (for signing keys: verifiable) after a rotation. Valid by
 * construction: {@link KeyCatalog} builds these only from validated configuration.
 *
 * @param name the Vault key name (Transit key, or PKI role for {@link KeyPurpose#SERVICE_TLS})
 * @param decryptableVersions how many newest versions stay usable for decryption; after a
 *     rotation and re-wrap, {@code min_decryption_version} is raised to
 *     {@code latest - decryptableVersions + 1}
 */
public record ManagedKey(String name, KeyPurpose purpose, KeyType type, RotationSchedule schedule, int decryptableVersions) {

    public ManagedKey {
        Objects.requireNonNull(name, "name cannot be null");
        Objects.requireNonNull(purpose, "purpose cannot be null");
        Objects.requireNonNull(type, "type cannot be null");
        Objects.requireNonNull(schedule, "schedule cannot be null");
        if (decryptableVersions < 1) {
            throw new IllegalArgumentException("decryptableVersions must be at least 1, was " + decryptableVersions);
        }
    }

    /** The {@code min_decryption_version} this key should have when its newest version is {@code latest}. */
    public int targetMinDecryptionVersion(int latest) {
        return Math.max(1, latest - decryptableVersions + 1);
    }
}
