package dev.portcullis.fields.internal;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM through the JDK's {@code AES/GCM/NoPadding} (SunJCE), whose AES and GHASH are
 * HotSpot intrinsics on x86-64 and aarch64. A {@link Cipher} per thread avoids the provider
 * lookup on every call; it never keeps a key between calls beyond what {@code Cipher.init} holds
 * (the JDK keeps the last key's schedule for reuse).
 */
public final class JceAesGcm implements AesGcm {

    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(JceAesGcm::newCipher);

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides no AES/GCM/NoPadding", e);
        }
    }

    @Override
    public void seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData, byte[] out, int outOffset) {
        checkKey(key);
        seal(new SecretKeySpec(key, "AES"), nonce, plaintext, associatedData, out, outOffset);
    }

    @Override
    public byte[] open(byte[] key, byte[] nonce, byte[] in, int offset, int length, byte[] associatedData)
            throws AuthenticationFailedException {
        checkKey(key);
        return open(new SecretKeySpec(key, "AES"), nonce, in, offset, length, associatedData);
    }

    /**
     * With the key object itself: no copy of the key per call. {@link DestroyableAesKey#getEncoded}
     * throws once the key is destroyed, so a destroyed key fails here with
     * {@link IllegalStateException} (the caller asks its key source again).
     */
    @Override
    public void seal(DestroyableAesKey key, byte[] nonce, byte[] plaintext, byte[] associatedData, byte[] out,
            int outOffset) {
        checkKey(key);
        key.checkNotDestroyed();
        seal((SecretKey) key, nonce, plaintext, associatedData, out, outOffset);
    }

    @Override
    public byte[] open(DestroyableAesKey key, byte[] nonce, byte[] in, int offset, int length, byte[] associatedData)
            throws AuthenticationFailedException {
        checkKey(key);
        key.checkNotDestroyed();
        return open((SecretKey) key, nonce, in, offset, length, associatedData);
    }

    private void seal(SecretKey key, byte[] nonce, byte[] plaintext, byte[] associatedData, byte[] out, int outOffset) {
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(associatedData);
            cipher.doFinal(plaintext, 0, plaintext.length, out, outOffset);
        } catch (InvalidKeyException e) {
            if (key instanceof DestroyableAesKey d) {
                d.checkNotDestroyed(); // destroyed meanwhile: the provider lookup hid the reason
            }
            throw new IllegalArgumentException("AES-256-GCM needs a 32-byte key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private byte[] open(SecretKey key, byte[] nonce, byte[] in, int offset, int length, byte[] associatedData)
            throws AuthenticationFailedException {
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(in, offset, length);
        } catch (AEADBadTagException e) {
            throw new AuthenticationFailedException();
        } catch (InvalidKeyException e) {
            if (key instanceof DestroyableAesKey d) {
                d.checkNotDestroyed(); // destroyed meanwhile: the provider lookup hid the reason
            }
            throw new IllegalArgumentException("AES-256-GCM needs a 32-byte key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static void checkKey(DestroyableAesKey key) {
        if (key.length() != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM needs a 32-byte key, got " + key.length());
        }
    }

    /** The JDK would accept AES-128 and AES-192 keys too; this mode is AES-256 only. */
    private static void checkKey(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM needs a 32-byte key, got " + key.length);
        }
    }

    @Override
    public String implementation() {
        return "jdk";
    }
}
