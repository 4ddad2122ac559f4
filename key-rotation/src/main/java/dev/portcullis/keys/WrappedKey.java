package dev.portcullis.keys;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key encrypted ("wrapped") under a key-encryption key that never leaves the KMS: the
 * KEK's name and version, and the KMS's ciphertext, opaque to Portcullis (for Vault Transit the
 * bytes of {@code vault:v<version>:<base64>}). Not secret: safe to store beside the data.
 */
public final class WrappedKey {

    private final String kekName;
    private final int kekVersion;
    private final byte[] ciphertext;

    public WrappedKey(String kekName, int kekVersion, byte[] ciphertext) {
        this.kekName = Objects.requireNonNull(kekName, "kekName cannot be null");
        if (kekVersion < 1) {
            throw new IllegalArgumentException("kekVersion must be at least 1, was " + kekVersion);
        }
        this.kekVersion = kekVersion;
        this.ciphertext = Objects.requireNonNull(ciphertext, "ciphertext cannot be null").clone();
    }

    public String kekName() {
        return kekName;
    }

    public int kekVersion() {
        return kekVersion;
    }

    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrappedKey w && kekName.equals(w.kekName) && kekVersion == w.kekVersion
                && Arrays.equals(ciphertext, w.ciphertext);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kekName, kekVersion, Arrays.hashCode(ciphertext));
    }

    @Override
    public String toString() {
        return "WrappedKey[" + kekName + " v" + kekVersion + ", " + ciphertext.length + " bytes]";
    }
}
