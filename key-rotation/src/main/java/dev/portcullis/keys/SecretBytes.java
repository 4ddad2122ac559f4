package dev.portcullis.keys;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Secret key material (a data key, a MAC key): the only type that holds it.
 *
 * <p>Copies on the way in and on the way out, so no caller shares the array; compares in constant
 * time; prints as {@code [redacted]}; and is wiped by {@link #destroy()} (or {@link #close()}),
 * after which every access fails. Wiping is best effort: the JVM may have copied the array (GC
 * compaction), which is why secrets are also kept short-lived and bounded in number.
 */
public final class SecretBytes implements AutoCloseable {

    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A holder of a copy of {@code bytes}; the caller should wipe its own array afterwards. */
    public static SecretBytes copyOf(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes cannot be null");
        return new SecretBytes(bytes.clone());
    }

    /** Takes {@code bytes} without copying and wipes nothing else: for arrays no one else holds. */
    public static SecretBytes adopt(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes cannot be null");
        return new SecretBytes(bytes);
    }

    /**
     * A copy of the secret; the caller must wipe it (Arrays.fill) when done. Synchronized with
     * {@link #destroy()} so that a copy is never taken of a half-wiped array.
     */
    public synchronized byte[] toByteArray() {
        checkNotDestroyed();
        return bytes.clone();
    }

    /** An independent copy of this secret (one clone, nothing left behind to wipe). */
    public synchronized SecretBytes copy() {
        checkNotDestroyed();
        return new SecretBytes(bytes.clone());
    }

    public int length() {
        return bytes.length;
    }

    /** Compares the secrets in time independent of where they differ. */
    public boolean equalsConstantTime(SecretBytes other) {
        byte[] mine = toByteArray();
        byte[] theirs = other.toByteArray();
        try {
            return MessageDigest.isEqual(mine, theirs);
        } finally {
            Arrays.fill(mine, (byte) 0);
            Arrays.fill(theirs, (byte) 0);
        }
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /** Overwrites the secret with zeros; later accesses throw {@link IllegalStateException}. */
    public synchronized void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public void close() {
        destroy();
    }

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("secret was destroyed");
        }
    }

    @Override
    public String toString() {
        return "[redacted]";
    }

    /** Identity only: two holders are equal when they are the same holder (see {@link #equalsConstantTime}). */
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
