package dev.portcullis.fields.internal;

import java.util.List;

/**
 * AES-SIV, the deterministic authenticated encryption of
 * <a href="https://www.rfc-editor.org/rfc/rfc5297">RFC 5297</a>: the deterministic mode's
 * primitive. Two implementations produce identical bytes (tests cross-check them and both pass the
 * RFC's vectors): {@link JceAesSiv} on the JDK's intrinsic AES (ECB, CBC, CTR) and
 * {@link BcAesSiv} on Bouncy Castle's {@code CMac} and CTR mode.
 *
 * <p><b>Guarantee:</b> deterministic AEAD (DAE): equal (key, associated data, plaintext) give
 * equal ciphertexts, which is the point (equality search) and the leak (equality is visible).
 * Nothing else about the plaintext leaks beyond its length, and any change to the ciphertext or
 * associated data is detected. The key is 64 bytes for AES-256 (32 for S2V's CMAC, 32 for CTR)
 * or 32 bytes for AES-128 (used only by the RFC's test vectors). Output: the 16-byte synthetic
 * IV {@code V}, then the ciphertext (same length as the plaintext). Thread-safe; no key is kept beyond what the JDK's per-thread ciphers hold.
 */
public interface AesSiv {

    int SIV_BYTES = 16;

    /** Encrypts {@code plaintext} with the associated-data vector {@code ad} (S1..Sn-1) into {@code out}. */
    void seal(byte[] key, List<byte[]> ad, byte[] plaintext, byte[] out, int outOffset);

    /** Decrypts {@code V || C} at {@code in[offset, offset+length)}; throws when V does not verify. */
    byte[] open(byte[] key, List<byte[]> ad, byte[] in, int offset, int length) throws AuthenticationFailedException;

    /** As {@link #seal(byte[], List, byte[], byte[], int)} with a prepared key (implementations may use its cached values). */
    default void seal(AesSivKey key, List<byte[]> ad, byte[] plaintext, byte[] out, int outOffset) {
        byte[] raw = key.toByteArray();
        try {
            seal(raw, ad, plaintext, out, outOffset);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /** As {@link #open(byte[], List, byte[], int, int)} with a prepared key. */
    default byte[] open(AesSivKey key, List<byte[]> ad, byte[] in, int offset, int length)
            throws AuthenticationFailedException {
        byte[] raw = key.toByteArray();
        try {
            return open(raw, ad, in, offset, length);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    /** {@code jdk} or {@code bouncycastle}. */
    String implementation();
}
