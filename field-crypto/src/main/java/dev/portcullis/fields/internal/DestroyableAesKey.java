package dev.portcullis.fields.internal;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.Arrays;

import javax.crypto.SecretKey;

/**
 * An AES key ready to hand to the JDK's {@link javax.crypto.Cipher#init}, kept for as long as its
 * key version is cached, so that a field operation does not copy the key out of its holder, build
 * a {@link javax.crypto.spec.SecretKeySpec} and wipe the copy on every call. Unlike
 * {@code SecretKeySpec} it can be wiped: after {@link #destroy()} every {@link #getEncoded()}
 * throws {@link IllegalStateException}, and {@code getEncoded} and {@code destroy} are mutually
 * exclusive, so no cipher is ever initialised with a half-wiped (partly zero) key.
 *
 * <p><b>Trade-off</b> (as in Tink's {@code SecretKeySpec}-holding primitives): the key lives on
 * the heap as long as the keyring caches its version (bounded by the cache TTL and size), not only
 * for the duration of one call; and the JDK's per-thread {@code Cipher} objects keep their own
 * copy of the last key they were initialised with (they did before too). Wiping is best effort,
 * as for every Java secret. Not serializable; prints as redacted.
 */
public final class DestroyableAesKey implements SecretKey {

    private static final long serialVersionUID = 1L;

    private final byte[] key;
    private volatile boolean destroyed;

    /** Adopts {@code key} (16 or 32 bytes); the caller must not keep or wipe it. */
    DestroyableAesKey(byte[] key) {
        if (key.length != 16 && key.length != 32) {
            throw new IllegalArgumentException("an AES key is 16 or 32 bytes, got " + key.length);
        }
        this.key = key;
    }

    /** A key holding a copy of {@code key[offset, offset+length)}. */
    static DestroyableAesKey copyOf(byte[] key, int offset, int length) {
        return new DestroyableAesKey(Arrays.copyOfRange(key, offset, offset + length));
    }

    @Override
    public String getAlgorithm() {
        return "AES";
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    /** A copy of the key (the JDK wipes or keeps its copy); throws once destroyed. */
    @Override
    public synchronized byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key was destroyed");
        }
        return key.clone();
    }

    /** The key length in bytes. */
    public int length() {
        return key.length;
    }

    @Override
    public synchronized void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** Throws {@link IllegalStateException} when destroyed: callers check before handing the key to a cipher. */
    void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("key was destroyed");
        }
    }

    private void writeObject(ObjectOutputStream out) throws NotSerializableException {
        throw new NotSerializableException("keys are not serializable");
    }

    @Override
    public String toString() {
        return "DestroyableAesKey[redacted]";
    }

    /** Identity only. */
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
