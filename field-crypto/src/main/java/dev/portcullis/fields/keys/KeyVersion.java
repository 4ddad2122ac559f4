package dev.portcullis.fields.keys;

import java.time.Instant;
import java.util.Objects;

import dev.portcullis.keys.WrappedKey;

/**
 * One version of a keyset as stored: its number, its data key wrapped under the KEK, and when
 * it was created. Not secret.
 */
public record KeyVersion(int version, WrappedKey wrapped, Instant created) {

    public KeyVersion {
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, was " + version);
        }
        Objects.requireNonNull(wrapped, "wrapped cannot be null");
        Objects.requireNonNull(created, "created cannot be null");
    }

    public KeyVersion withWrapped(WrappedKey replacement) {
        return new KeyVersion(version, replacement, created);
    }
}
