package dev.portcullis.bench.fields;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;

/**
 * A keyring for benchmarks: a temporary key store and an in-process AES-GCM "KEK" instead of
 * Vault. After the first lookup every data key comes from the keyring's cache, so what is measured
 * is the field encryption path itself, as in a warm service; the KEK never is on that path.
 * NOT a KeyWrapper for anything but benchmarks.
 */
final class BenchKeys {

    private BenchKeys() {
    }

    static Keyring keyring() {
        try {
            Path dir = Files.createTempDirectory("portcullis-bench-keys");
            dir.toFile().deleteOnExit();
            return Keyring.builder(new FileDataKeyRepository(dir), new InMemoryKek(), "bench-kek").build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Benchmark-only KEK held in memory. */
    private static final class InMemoryKek implements KeyWrapper {
        private final byte[] kek = new byte[32];
        private final SecureRandom random = new SecureRandom();

        InMemoryKek() {
            random.nextBytes(kek);
        }

        @Override
        public WrappedKey wrap(String name, SecretBytes dataKey, byte[] ad) {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            byte[] ct = gcm(Cipher.ENCRYPT_MODE, nonce, dataKey.toByteArray(), ad);
            byte[] all = Arrays.copyOf(nonce, 12 + ct.length);
            System.arraycopy(ct, 0, all, 12, ct.length);
            return new WrappedKey(name, 1, all);
        }

        @Override
        public SecretBytes unwrap(WrappedKey wrapped, byte[] ad) {
            byte[] all = wrapped.ciphertext();
            return SecretBytes.adopt(gcm(Cipher.DECRYPT_MODE, Arrays.copyOf(all, 12),
                    Arrays.copyOfRange(all, 12, all.length), ad));
        }

        @Override
        public WrappedKey rewrap(WrappedKey wrapped, byte[] ad) {
            return wrapped;
        }

        private byte[] gcm(int mode, byte[] nonce, byte[] in, byte[] ad) {
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(mode, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, nonce));
                c.updateAAD(ad);
                return c.doFinal(in);
            } catch (GeneralSecurityException e) {
                throw new KeyException(KeyException.Reason.INVALID_CIPHERTEXT, "bench KEK failed");
            }
        }
    }
}
