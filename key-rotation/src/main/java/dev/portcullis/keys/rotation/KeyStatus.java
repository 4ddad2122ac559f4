package dev.portcullis.keys.rotation;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.portcullis.keys.catalog.ManagedKey;

/**
 * A Transit key's rotation status at one instant: its versions, its age, when it rotates next,
 * whether it is overdue, and how far the re-wrap after its last rotation got.
 *
 * @param age how long ago the newest version was created
 * @param nextRotation when the schedule (with jitter) makes the key due
 * @param overdue whether {@code nextRotation} passed more than the service's overdue grace ago
 * @param rewrappedTo every stored wrapped key was re-wrapped to at least this version (0: never)
 * @param pending a note on unfinished work (re-wrap or min_decryption_version raise), or null
 */
public record KeyStatus(ManagedKey key, int latestVersion, int minDecryptionVersion, Instant latestCreated,
        Duration age, Instant nextRotation, boolean overdue, int rewrappedTo, String pending) {

    public KeyStatus {
        Objects.requireNonNull(key, "key cannot be null");
        Objects.requireNonNull(latestCreated, "latestCreated cannot be null");
        Objects.requireNonNull(age, "age cannot be null");
        Objects.requireNonNull(nextRotation, "nextRotation cannot be null");
    }

    /** Time until the next rotation from {@code now}; negative when due or overdue. */
    public Duration timeToNextRotation(Instant now) {
        return Duration.between(now, nextRotation);
    }
}
