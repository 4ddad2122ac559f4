package dev.portcullis.fields.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import dev.portcullis.keys.SecretBytes;

/**
 * The per-purpose keys derived from one data key with HKDF-SHA-256
 * (<a href="https://www.rfc-editor.org/rfc/rfc5869">RFC 5869</a>, Bouncy Castle's
 * {@link HKDFBytesGenerator}): a 32-byte AES-256-GCM key, a 64-byte AES-SIV key and a 32-byte
 * HMAC-SHA-256 blind-index key. The info string names the purpose, the keyset and the version,
 * so one data key never serves two modes and a data key copied to another keyset derives other
 * keys. Destroying this holder destroys all three.
 */
public final class DerivedKeys implements AutoCloseable {

    private static final String LABEL = "portcullis-fields/v1/";

    private final String keyName;
    private final int keyVersion;
    private final SecretBytes aead;
    private final SecretBytes siv;
    private final SecretBytes blindIndex;

    private DerivedKeys(String keyName, int keyVersion, SecretBytes aead, SecretBytes siv, SecretBytes blindIndex) {
        this.keyName = keyName;
        this.keyVersion = keyVersion;
        this.aead = aead;
        this.siv = siv;
        this.blindIndex = blindIndex;
    }

    /** Derives the keys of version {@code keyVersion} of keyset {@code keyName} from {@code dataKey} (32 bytes). */
    public static DerivedKeys derive(SecretBytes dataKey, String keyName, int keyVersion) {
        if (dataKey.length() != 32) {
            throw new IllegalArgumentException("a data key is 32 bytes, got " + dataKey.length());
        }
        byte[] ikm = dataKey.toByteArray();
        try {
            return new DerivedKeys(keyName, keyVersion,
                    SecretBytes.adopt(hkdf(ikm, "aes-256-gcm", keyName, keyVersion, 32)),
                    SecretBytes.adopt(hkdf(ikm, "aes-256-siv", keyName, keyVersion, 64)),
                    SecretBytes.adopt(hkdf(ikm, "hmac-sha256-blind-index", keyName, keyVersion, 32)));
        } finally {
            Arrays.fill(ikm, (byte) 0);
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
        return aead.toByteArray();
    }

    /** A copy of the AES-SIV key; the caller wipes it. */
    public byte[] sivKey() {
        return siv.toByteArray();
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
