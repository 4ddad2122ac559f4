package dev.portcullis.fields.internal;

import java.util.Arrays;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-256-GCM through Bouncy Castle's lightweight API ({@link GCMBlockCipher} over
 * {@link AESEngine}): pure Java, no intrinsics. Kept as the independent second implementation
 * that the JDK's output is checked against, and for JVMs whose provider lacks GCM.
 */
public final class BcAesGcm implements AesGcm {

    private static GCMModeCipher newCipher() {
        return GCMBlockCipher.newInstance(AESEngine.newInstance());
    }

    @Override
    public void seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData, byte[] out, int outOffset) {
        checkKey(key);
        GCMModeCipher gcm = newCipher();
        gcm.init(true, new AEADParameters(new KeyParameter(key), TAG_BYTES * 8, nonce, associatedData));
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, outOffset);
        try {
            gcm.doFinal(out, outOffset + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public byte[] open(byte[] key, byte[] nonce, byte[] in, int offset, int length, byte[] associatedData)
            throws AuthenticationFailedException {
        checkKey(key);
        if (length < TAG_BYTES) {
            throw new AuthenticationFailedException();
        }
        GCMModeCipher gcm = newCipher();
        gcm.init(false, new AEADParameters(new KeyParameter(key), TAG_BYTES * 8, nonce, associatedData));
        byte[] out = new byte[length - TAG_BYTES];
        try {
            int n = gcm.processBytes(in, offset, length, out, 0);
            gcm.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            Arrays.fill(out, (byte) 0);
            throw new AuthenticationFailedException();
        }
    }

    private static void checkKey(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM needs a 32-byte key, got " + key.length);
        }
    }

    @Override
    public String implementation() {
        return "bouncycastle";
    }
}
