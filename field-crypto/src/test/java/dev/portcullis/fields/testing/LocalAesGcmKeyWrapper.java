package dev.portcullis.fields.testing;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;

/**
 * A {@link KeyWrapper} for unit tests only: an in-memory, versioned AES-256-GCM KEK that behaves
 * like Vault Transit (wrap with the newest version, unwrap any version at or above the minimum,
 * rewrap to the newest, associated data bound). Integration tests use the real Vault wrapper.
 */
public final class LocalAesGcmKeyWrapper implements KeyWrapper {

    private final String kekName;
    private final List<byte[]> versions = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();
    private volatile int minDecryptionVersion = 1;
    private final AtomicInteger unwraps = new AtomicInteger();

    public LocalAesGcmKeyWrapper(String kekName) {
        this.kekName = kekName;
        rotate();
    }

    /** Adds a KEK version, which becomes the newest. */
    public synchronized int rotate() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        versions.add(key);
        return versions.size();
    }

    public synchronized int latestVersion() {
        return versions.size();
    }

    public void minDecryptionVersion(int version) {
        this.minDecryptionVersion = version;
    }

    /** How many unwraps reached the "KMS" (cache tests). */
    public int unwrapCount() {
        return unwraps.get();
    }

    @Override
    public synchronized WrappedKey wrap(String name, SecretBytes dataKey, byte[] associatedData) {
        if (!kekName.equals(name)) {
            throw new KeyException(KeyException.Reason.NOT_FOUND, "no KEK " + name);
        }
        byte[] plain = dataKey.toByteArray();
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        byte[] ct = gcm(Cipher.ENCRYPT_MODE, versions.get(versions.size() - 1), nonce, plain, associatedData);
        return new WrappedKey(kekName, versions.size(), ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array());
    }

    @Override
    public synchronized SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) {
        unwraps.incrementAndGet();
        if (!kekName.equals(wrapped.kekName()) || wrapped.kekVersion() > versions.size()) {
            throw new KeyException(KeyException.Reason.NOT_FOUND, "no such KEK version");
        }
        if (wrapped.kekVersion() < minDecryptionVersion) {
            throw new KeyException(KeyException.Reason.NOT_FOUND, "KEK version below min_decryption_version");
        }
        byte[] all = wrapped.ciphertext();
        byte[] nonce = java.util.Arrays.copyOf(all, 12);
        byte[] ct = java.util.Arrays.copyOfRange(all, 12, all.length);
        return SecretBytes.adopt(gcm(Cipher.DECRYPT_MODE, versions.get(wrapped.kekVersion() - 1), nonce, ct, associatedData));
    }

    @Override
    public synchronized WrappedKey rewrap(WrappedKey wrapped, byte[] associatedData) {
        if (wrapped.kekVersion() == versions.size()) {
            return wrapped;
        }
        try (SecretBytes plain = unwrap(wrapped, associatedData)) {
            return wrap(kekName, plain, associatedData);
        }
    }

    private static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] in, byte[] ad) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(ad);
            return c.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new KeyException(KeyException.Reason.INVALID_CIPHERTEXT, "unwrap failed");
        }
    }
}
