package dev.portcullis.fields.internal;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.modes.CTRModeCipher;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * AES-SIV ({@link AesSiv}) built from Bouncy Castle's
 * {@link CMac} and CTR mode ({@link SICBlockCipher}) over {@link AESEngine}; Bouncy Castle ships
 * both parts but not the composition (S2V), which is the few lines below, checked against the
 * RFC's appendix A vectors and against Google Tink's AES-SIV.
 *
 * <p><b>Guarantee:</b> deterministic AEAD (DAE): equal (key, associated data, plaintext) give
 * equal ciphertexts, which is the point (equality search) and the leak (equality is visible).
 * Nothing else about the plaintext leaks beyond its length, and any change to the ciphertext or
 * associated data is detected. The key is 64 bytes for AES-256 (32 for S2V's CMAC, 32 for CTR)
 * or 32 bytes for AES-128 (used only by the RFC's test vectors). Output: the 16-byte synthetic
 * IV {@code V}, then the ciphertext (same length as the plaintext).
 */
public final class BcAesSiv implements AesSiv {

    private static final byte[] ZERO_BLOCK = new byte[16];

    @Override
    public void seal(byte[] key, List<byte[]> ad, byte[] plaintext, byte[] out, int outOffset) {
        checkKey(key);
        int half = key.length / 2;
        byte[] v = s2v(Arrays.copyOfRange(key, 0, half), ad, plaintext);
        System.arraycopy(v, 0, out, outOffset, SIV_BYTES);
        ctr(Arrays.copyOfRange(key, half, key.length), v, plaintext, 0, plaintext.length, out, outOffset + SIV_BYTES);
    }

    @Override
    public byte[] open(byte[] key, List<byte[]> ad, byte[] in, int offset, int length)
            throws AuthenticationFailedException {
        checkKey(key);
        if (length < SIV_BYTES) {
            throw new AuthenticationFailedException();
        }
        int half = key.length / 2;
        byte[] v = Arrays.copyOfRange(in, offset, offset + SIV_BYTES);
        byte[] plaintext = new byte[length - SIV_BYTES];
        ctr(Arrays.copyOfRange(key, half, key.length), v, in, offset + SIV_BYTES, plaintext.length, plaintext, 0);
        byte[] t = s2v(Arrays.copyOfRange(key, 0, half), ad, plaintext);
        if (!MessageDigest.isEqual(t, v)) {
            Arrays.fill(plaintext, (byte) 0);
            throw new AuthenticationFailedException();
        }
        return plaintext;
    }

    /** S2V (RFC 5297 section 2.4) over the strings {@code ad} followed by {@code last}. */
    static byte[] s2v(byte[] macKey, List<byte[]> ad, byte[] last) {
        CMac cmac = new CMac(AESEngine.newInstance());
        cmac.init(new KeyParameter(macKey));
        byte[] d = mac(cmac, ZERO_BLOCK);
        for (byte[] s : ad) {
            d = xor(dbl(d), mac(cmac, s));
        }
        if (last.length >= 16) {
            // T = Sn xorend D: xor D into the last 16 bytes of Sn.
            cmac.update(last, 0, last.length - 16);
            byte[] tail = Arrays.copyOfRange(last, last.length - 16, last.length);
            cmac.update(xor(tail, d), 0, 16);
        } else {
            byte[] padded = new byte[16];
            System.arraycopy(last, 0, padded, 0, last.length);
            padded[last.length] = (byte) 0x80;
            cmac.update(xor(dbl(d), padded), 0, 16);
        }
        byte[] v = new byte[16];
        cmac.doFinal(v, 0);
        return v;
    }

    private static byte[] mac(CMac cmac, byte[] s) {
        cmac.update(s, 0, s.length);
        byte[] out = new byte[16];
        cmac.doFinal(out, 0);
        return out;
    }

    private static void ctr(byte[] ctrKey, byte[] v, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
        // Q = V with bits 63 and 31 (counted from the right) cleared, so implementations that
        // increment only the low 32 or 64 bits interoperate (RFC 5297 section 2.5).
        byte[] q = v.clone();
        q[8] &= 0x7f;
        q[12] &= 0x7f;
        CTRModeCipher ctr = SICBlockCipher.newInstance(AESEngine.newInstance());
        ctr.init(true, new ParametersWithIV(new KeyParameter(ctrKey), q));
        ctr.processBytes(in, inOffset, length, out, outOffset);
    }

    /** Doubling in GF(2^128) (RFC 5297 section 2.3). */
    public static byte[] dbl(byte[] s) {
        byte[] r = new byte[16];
        int carry = 0;
        for (int i = 15; i >= 0; i--) {
            int b = s[i] & 0xff;
            r[i] = (byte) ((b << 1) | carry);
            carry = b >>> 7;
        }
        // Constant time: the reduction is applied with a mask, not a branch on secret bits.
        r[15] ^= (byte) (0x87 & -carry);
        return r;
    }

    static byte[] xor(byte[] a, byte[] b) {
        byte[] r = new byte[16];
        for (int i = 0; i < 16; i++) {
            r[i] = (byte) (a[i] ^ b[i]);
        }
        return r;
    }

    static void checkKey(byte[] key) {
        if (key.length != 64 && key.length != 32) {
            throw new IllegalArgumentException("AES-SIV needs a 64-byte (AES-256) or 32-byte (AES-128) key, got " + key.length);
        }
    }

    @Override
    public String implementation() {
        return "bouncycastle";
    }
}
