package dev.portcullis.keys.datakeys;

import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Objects;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;

/**
 * A {@link DataKeyGenerator} that draws each key from a local NIST SP 800-90A DRBG (the JDK's
 * {@code DRBG} SecureRandom, 256-bit strength, with prediction resistance, i.e. reseeded from the
 * operating system's entropy before every key) and wraps it through a {@link KeyWrapper}
 * (Transit {@code encrypt}). Use it when the key must not travel from Vault in an HTTP response;
 * the cost is the same single round trip.
 */
public final class LocalDrbgDataKeyGenerator implements DataKeyGenerator {

    /** AES-256 data keys unless told otherwise. */
    public static final int DEFAULT_KEY_BYTES = 32;

    private final KeyWrapper wrapper;
    private final int keyBytes;
    private final SecureRandom drbg;

    public LocalDrbgDataKeyGenerator(KeyWrapper wrapper) {
        this(wrapper, DEFAULT_KEY_BYTES);
    }

    /** Keys of {@code keyBytes} bytes (16, 32 or 64). */
    public LocalDrbgDataKeyGenerator(KeyWrapper wrapper, int keyBytes) {
        this.wrapper = Objects.requireNonNull(wrapper, "wrapper cannot be null");
        if (keyBytes != 16 && keyBytes != 32 && keyBytes != 64) {
            throw new IllegalArgumentException("keyBytes must be 16, 32 or 64, was " + keyBytes);
        }
        this.keyBytes = keyBytes;
        try {
            this.drbg = SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(256,
                    DrbgParameters.Capability.PR_AND_RESEED,
                    "portcullis data keys".getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new KeyException(KeyException.Reason.MISCONFIGURED,
                    "this JVM offers no SP 800-90A DRBG with prediction resistance at 256 bits", e);
        }
    }

    @Override
    public DataKey generate(String kekName, byte[] associatedData) throws KeyException {
        byte[] raw = new byte[keyBytes];
        drbg.nextBytes(raw);
        SecretBytes key = SecretBytes.adopt(raw);
        try {
            return new DataKey(key, wrapper.wrap(kekName, key, associatedData));
        } catch (RuntimeException e) {
            key.destroy();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "LocalDrbgDataKeyGenerator[" + keyBytes + " bytes, " + drbg.getAlgorithm() + "]";
    }

}
