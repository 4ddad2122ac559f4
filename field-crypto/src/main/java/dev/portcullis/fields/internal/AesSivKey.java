package dev.portcullis.fields.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;

/**
 * An AES-SIV key (RFC 5297) prepared once per key version: its two halves as
 * {@link DestroyableAesKey}s (S2V's CMAC key, then the CTR key) and the values S2V computes from
 * the CMAC key alone on every call otherwise: the CMAC subkeys K1 and K2 (RFC 4493 section 2.3)
 * and {@code CMAC(K, 0^128)}, S2V's starting value. Those three are as secret as the key and are
 * wiped with it by {@link #destroy()}; after that every use throws {@link IllegalStateException}.
 */
public final class AesSivKey implements AutoCloseable {

    private static final byte[] ZERO_BLOCK = new byte[16];

    final DestroyableAesKey macKey;
    final DestroyableAesKey ctrKey;
    /** CMAC subkeys and CMAC of the zero block, under {@link #macKey}; read only by {@link JceAesSiv}. */
    final byte[] k1;
    final byte[] k2;
    final byte[] zeroMac;

    private AesSivKey(DestroyableAesKey macKey, DestroyableAesKey ctrKey, byte[] k1, byte[] k2, byte[] zeroMac) {
        this.macKey = macKey;
        this.ctrKey = ctrKey;
        this.k1 = k1;
        this.k2 = k2;
        this.zeroMac = zeroMac;
    }

    /** Prepares {@code key} (64 bytes for AES-256-SIV, 32 for AES-128-SIV); the caller still wipes its array. */
    public static AesSivKey of(byte[] key) {
        BcAesSiv.checkKey(key);
        int half = key.length / 2;
        DestroyableAesKey mac = DestroyableAesKey.copyOf(key, 0, half);
        DestroyableAesKey ctr = DestroyableAesKey.copyOf(key, half, half);
        byte[] l = null;
        try {
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, mac);
            l = ecb.doFinal(ZERO_BLOCK);
            byte[] k1 = BcAesSiv.dbl(l);
            byte[] k2 = BcAesSiv.dbl(k1);
            // CMAC of the empty-padded zero block: one complete block, so masked with K1.
            byte[] masked = BcAesSiv.xor(ZERO_BLOCK, k1);
            byte[] zeroMac = ecb.doFinal(masked);
            Arrays.fill(masked, (byte) 0);
            return new AesSivKey(mac, ctr, k1, k2, zeroMac);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is unavailable: " + e.getClass().getSimpleName(), e);
        } finally {
            if (l != null) {
                Arrays.fill(l, (byte) 0);
            }
        }
    }

    /** The 32- or 64-byte key as one array (a copy; the caller wipes it), for implementations that take bytes. */
    public byte[] toByteArray() {
        byte[] mac = macKey.getEncoded();
        byte[] ctr = ctrKey.getEncoded();
        byte[] all = Arrays.copyOf(mac, mac.length + ctr.length);
        System.arraycopy(ctr, 0, all, mac.length, ctr.length);
        Arrays.fill(mac, (byte) 0);
        Arrays.fill(ctr, (byte) 0);
        return all;
    }

    public boolean isDestroyed() {
        return macKey.isDestroyed() || ctrKey.isDestroyed();
    }

    /** Throws {@link IllegalStateException} when destroyed. */
    void checkNotDestroyed() {
        macKey.checkNotDestroyed();
        ctrKey.checkNotDestroyed();
    }

    public void destroy() {
        macKey.destroy();
        ctrKey.destroy();
        Arrays.fill(k1, (byte) 0);
        Arrays.fill(k2, (byte) 0);
        Arrays.fill(zeroMac, (byte) 0);
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "AesSivKey[redacted]";
    }
}
