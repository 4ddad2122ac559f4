package dev.portcullis.fields;

/**
 * How a field is encrypted; the byte value is the {@code mode} octet of the ciphertext format
 * ({@code docs/field-encryption.md}).
 */
public enum EncryptionMode {

    /**
     * AES-256-GCM with a fresh random 96-bit nonce: equal values give unrelated ciphertexts. Bound
     * to tenant, record id and field path. The default, and the only mode for anything not searched.
     */
    RANDOMIZED((byte) 0x01, "randomized"),

    /**
     * AES-256-SIV (RFC 5297): equal values of the same field in the same tenant give equal
     * ciphertexts, so that a store can search by equality. Weaker by design: equality is visible,
     * and the ciphertext is bound to tenant and field but NOT to the record (else equal values in
     * two records would differ and nothing could be searched).
     */
    DETERMINISTIC((byte) 0x02, "deterministic");

    private final byte wireValue;
    private final String wireName;

    EncryptionMode(byte wireValue, String wireName) {
        this.wireValue = wireValue;
        this.wireName = wireName;
    }

    public byte wireValue() {
        return wireValue;
    }

    /** The name used in policy data and JSON: {@code randomized} or {@code deterministic}. */
    public String wireName() {
        return wireName;
    }

    /** The mode whose octet is {@code value}, or null. */
    public static EncryptionMode fromWireValue(byte value) {
        for (EncryptionMode mode : values()) {
            if (mode.wireValue == value) {
                return mode;
            }
        }
        return null;
    }

    /** The mode named {@code name} in policy data, or null. */
    public static EncryptionMode fromWireName(String name) {
        for (EncryptionMode mode : values()) {
            if (mode.wireName.equals(name)) {
                return mode;
            }
        }
        return null;
    }
}
