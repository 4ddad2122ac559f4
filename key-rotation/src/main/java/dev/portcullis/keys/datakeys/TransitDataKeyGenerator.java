package dev.portcullis.keys.datakeys;

import java.util.Objects;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;

/**
 * A {@link DataKeyGenerator} that asks Vault Transit for each key ({@code transit/datakey/plaintext}):
 * the randomness is Vault's, and one round trip yields both forms of the key.
 */
public final class TransitDataKeyGenerator implements DataKeyGenerator {

    /** AES-256 data keys unless told otherwise. */
    public static final int DEFAULT_BITS = 256;

    private final VaultTransitKeyWrapper transit;
    private final int bits;

    public TransitDataKeyGenerator(VaultTransitKeyWrapper transit) {
        this(transit, DEFAULT_BITS);
    }

    /** Keys of {@code bits} (128, 256 or 512). */
    public TransitDataKeyGenerator(VaultTransitKeyWrapper transit, int bits) {
        this.transit = Objects.requireNonNull(transit, "transit cannot be null");
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("bits must be 128, 256 or 512, was " + bits);
        }
        this.bits = bits;
    }

    @Override
    public DataKey generate(String kekName, byte[] associatedData) throws KeyException {
        return transit.generateDataKey(kekName, bits, associatedData);
    }
}
