package dev.portcullis.fields.internal;

/**
 * AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag, as one call: the
 * randomized mode's primitive. Two implementations produce identical bytes (tests cross-check
 * them): {@link JceAesGcm}, the JDK's (AES-NI and CLMUL intrinsics), and {@link BcAesGcm}, Bouncy
 * Castle's lightweight API (pure Java). Which one the randomized mode uses is a measured choice,
 * see {@code docs/field-encryption.md}.
 *
 * <p>Implementations are thread-safe and hold no key: the key is passed on each call (the JDK's
 * per-thread ciphers keep the schedule of the last key they used).
 */
public interface AesGcm {

    int KEY_BYTES = 32;
    int NONCE_BYTES = 12;
    int TAG_BYTES = 16;

    /** Encrypts {@code plaintext} into {@code out} at {@code outOffset}: ciphertext then tag. */
    void seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData, byte[] out, int outOffset);

    /**
     * Decrypts ciphertext-and-tag {@code in[offset, offset+length)}; returns the plaintext, or
     * throws {@link AuthenticationFailedException} (and releases nothing) when the tag is wrong.
     */
    byte[] open(byte[] key, byte[] nonce, byte[] in, int offset, int length, byte[] associatedData)
            throws AuthenticationFailedException;

    /** As {@link #seal(byte[], byte[], byte[], byte[], byte[], int)} with a key object kept per key version. */
    default void seal(DestroyableAesKey key, byte[] nonce, byte[] plaintext, byte[] associatedData, byte[] out,
            int outOffset) {
        byte[] raw = key.getEncoded();
        try {
            seal(raw, nonce, plaintext, associatedData, out, outOffset);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /** As {@link #open(byte[], byte[], byte[], int, int, byte[])} with a key object kept per key version. */
    default byte[] open(DestroyableAesKey key, byte[] nonce, byte[] in, int offset, int length, byte[] associatedData)
            throws AuthenticationFailedException {
        byte[] raw = key.getEncoded();
        try {
            return open(raw, nonce, in, offset, length, associatedData);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /** Short name for benchmarks and logs: {@code jdk} or {@code bouncycastle}. */
    String implementation();
}
