package dev.portcullis.fields.internal;

/**
 * AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag, as one call: the
 * randomized mode's primitive. Two implementations produce identical bytes (tests cross-check
 * them): {@link JceAesGcm}, the JDK's (AES-NI and CLMUL intrinsics), and {@link BcAesGcm}, Bouncy
 * Castle's lightweight API (pure Java). Which one the randomized mode uses is a measured choice,
 * see {@code docs/field-encryption.md}.
 *
 * <p>Implementations are thread-safe and hold no key: the key is passed on each call.
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

    /** Short name for benchmarks and logs: {@code jdk} or {@code bouncycastle}. */
    String implementation();
}
