package dev.portcullis.keys.rotation;

import java.util.Objects;

import dev.portcullis.keys.WrappedKey;

/**
 * A wrapped key as a {@link WrappedKeyRepository} stores it: its id in the store, the wrapped key,
 * and the associated data it was wrapped with (needed again to re-wrap it). Not secret.
 */
public record StoredWrappedKey(String id, WrappedKey wrapped, byte[] associatedData) {

    public StoredWrappedKey {
        Objects.requireNonNull(id, "id cannot be null");
        Objects.requireNonNull(wrapped, "wrapped cannot be null");
        associatedData = Objects.requireNonNull(associatedData, "associatedData cannot be null").clone();
    }

    @Override
    public byte[] associatedData() {
        return associatedData.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredWrappedKey s && id.equals(s.id) && wrapped.equals(s.wrapped)
                && java.util.Arrays.equals(associatedData, s.associatedData);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "StoredWrappedKey[" + id + ", " + wrapped + "]";
    }
}
