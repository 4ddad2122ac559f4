package dev.portcullis.keys.catalog;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The allow-list of key types a managed key may have, by Vault's names. Anything else is refused
 * at start-up.
 */
public enum KeyType {
    AES256_GCM96("aes256-gcm96", EnumSet.of(KeyPurpose.FIELD_ENCRYPTION_KEK)),
    CHACHA20_POLY1305("chacha20-poly1305", EnumSet.of(KeyPurpose.FIELD_ENCRYPTION_KEK)),
    ED25519("ed25519", EnumSet.of(KeyPurpose.AUDIT_CHECKPOINT_SIGNING)),
    ECDSA_P256("ecdsa-p256", EnumSet.of(KeyPurpose.AUDIT_CHECKPOINT_SIGNING)),
    /** A PKI certificate with an EC P-256 key (the {@code portcullis-service} role's key type). */
    PKI_EC_P256("pki-ec-p256", EnumSet.of(KeyPurpose.SERVICE_TLS));

    private final String vaultName;
    private final Set<KeyPurpose> purposes;

    KeyType(String vaultName, Set<KeyPurpose> purposes) {
        this.vaultName = vaultName;
        this.purposes = purposes;
    }

    /** Vault's name of the type, e.g. {@code aes256-gcm96}. */
    public String vaultName() {
        return vaultName;
    }

    /** Whether a key of this type may serve {@code purpose}. */
    public boolean allows(KeyPurpose purpose) {
        return purposes.contains(purpose);
    }

    public static Optional<KeyType> fromVaultName(String name) {
        return Arrays.stream(values()).filter(t -> t.vaultName.equals(name)).findFirst();
    }
}
