package dev.portcullis.fields.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import dev.portcullis.fields.EncryptionMode;
import dev.portcullis.keys.SecretBytes;

/**
 * The per-purpose keys derived from one data key with HKDF-SHA-256
 * (<a href="https://www.rfc-editor.org/rfc/rfc5869">RFC 5869</a>, Bouncy Castle's
 * {@link HKDFBytesGenerator}): a 32-byte AES-256-GCM key, a 64-byte AES-SIV key and a 32-byte
 * HMAC-SHA-256 blind-index key, the first two held as key objects ready for the JDK's ciphers
 * (see {@link DestroyableAesKey} for what that trades). The info string names the purpose, the keyset and the version,
 * so one data key never serves two modes and a data key copied to another keyset derives other
 * keys. Destroying this holder destroys all three.
 */
public final class DerivedKeys implements AutoCloseable {

    private static final String LABEL = "portcullis-fields/v1/";

    private final String keyName;
    private final int keyVersion;
    private final DestroyableAesKey aead;
    private final AesSivKey siv;
    private final SecretBytes blindIndex;
    /** Per mode (index: wire value - 1): the ciphertext header, and the associated data's constant start. */
    private final byte[][] headers = new byte[2][];
    private final byte[][] associatedDataPrefixes = new byte[2][];

    private DerivedKeys(String keyName, int keyVersion, DestroyableAesKey aead, AesSivKey siv, SecretBytes blindIndex) {
        this.keyName = keyName;
        this.keyVersion = keyVersion;
        this.aead = aead;
        this.siv = siv;
        this.blindIndex = blindIndex;
        for (EncryptionMode mode : EncryptionMode.values()) {
            byte[] header = Envelope.header(mode, keyName, keyVersion);
            headers[mode.wireValue() - 1] = header;
            associatedDataPrefixes[mode.wireValue() - 1] = Envelope.associatedDataPrefix(header, header.length);
        }
    }

    /** Derives the keys of version {@code keyVersion} of keyset {@code keyName} from {@code dataKey} (32 bytes). */
    public static DerivedKeys derive(SecretBytes dataKey, String keyName, int keyVersion) {
        if (dataKey.length() != 32) {
            throw new IllegalArgumentException("a data key is 32 bytes, got " + dataKey.length());
        }
        byte[] ikm = dataKey.toByteArray();
        byte[] sivBytes = null;
        try {
            sivBytes = hkdf(ikm, "aes-256-siv", keyName, keyVersion, 64);
            return new DerivedKeys(keyName, keyVersion,
                    new DestroyableAesKey(hkdf(ikm, "aes-256-gcm", keyName, keyVersion, 32)),
                    AesSivKey.of(sivBytes),
                    SecretBytes.adopt(hkdf(ikm, "hmac-sha256-blind-index", keyName, keyVersion, 32)));
        } finally {
            Arrays.fill(ikm, (byte) 0);
            if (sivBytes != null) {
                Arrays.fill(sivBytes, (byte) 0);
            }
        }
    }

    static byte[] hkdf(byte[] ikm, String purpose, String keyName, int keyVersion, int length) {
        byte[] info = (LABEL + purpose + "\0" + keyName + "\0" + keyVersion).getBytes(StandardCharsets.UTF_8);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, null, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    public String keyName() {
        return keyName;
    }

    public int keyVersion() {
        return keyVersion;
    }

    /** A copy of the AES-256-GCM key; the caller wipes it. */
    public byte[] aeadKey() {
        return aead.getEncoded();
    }

    /** A copy of the AES-SIV key; the caller wipes it. */
    public byte[] sivKey() {
        return siv.toByteArray();
    }

    /**
     * The AES-256-GCM key itself, kept for as long as this holder (no copy per call); unusable
     * once {@link #destroy()}ed. See {@link DestroyableAesKey} for the trade-off.
     */
    public DestroyableAesKey aeadKeyObject() {
        return aead;
    }

    /** The prepared AES-SIV key itself, kept for as long as this holder; unusable once destroyed. */
    public AesSivKey sivKeyObject() {
        return siv;
    }

    /** The ciphertext header of {@code mode} for this key version (shared: callers must not modify it). */
    public byte[] header(EncryptionMode mode) {
        return headers[mode.wireValue() - 1];
    }

    /** The associated data's constant start for {@code mode} (label and header; shared: do not modify). */
    public byte[] associatedDataPrefix(EncryptionMode mode) {
        return associatedDataPrefixes[mode.wireValue() - 1];
    }

    /** A copy of the blind-index key; the caller wipes it. */
    public byte[] blindIndexKey() {
        return blindIndex.toByteArray();
    }

    public boolean isDestroyed() {
        return aead.isDestroyed();
    }

    public void destroy() {
        aead.destroy();
        siv.destroy();
        blindIndex.destroy();
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "DerivedKeys[" + keyName + " v" + keyVersion + ", redacted]";
    }
}
