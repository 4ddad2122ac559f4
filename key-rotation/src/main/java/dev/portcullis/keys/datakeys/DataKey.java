package dev.portcullis.keys.datakeys;

import java.util.Objects;

import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;

/**
 * A data key for envelope encryption: the plaintext key (secret, in {@link SecretBytes}) and the
 * same key wrapped under a KEK (not secret, to be stored beside the data). Whoever holds a
 * {@code DataKey} owns its plaintext and must {@link #close()} it when done, which wipes it.
 */
public final class DataKey implements AutoCloseable {

    private final SecretBytes plaintext;
    private final WrappedKey wrapped;

    /** Takes ownership of {@code plaintext}. */
    public DataKey(SecretBytes plaintext, WrappedKey wrapped) {
        this.plaintext = Objects.requireNonNull(plaintext, "plaintext cannot be null");
        this.wrapped = Objects.requireNonNull(wrapped, "wrapped cannot be null");
    }

    /** The plaintext key; valid until {@link #close()}. */
    public SecretBytes plaintext() {
        return plaintext;
    }

    /** The wrapped key to store with the data. */
    public WrappedKey wrapped() {
        return wrapped;
    }

    /** Wipes the plaintext key. */
    @Override
    public void close() {
        plaintext.destroy();
    }

    @Override
    public String toString() {
        return "DataKey[" + wrapped + ", plaintext redacted]";
    }
}
