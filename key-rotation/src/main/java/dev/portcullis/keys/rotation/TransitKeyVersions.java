package dev.portcullis.keys.rotation;

import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What Vault says about a Transit key's versions: the newest, the minimum still decryptable (or,
 * for signing keys, verifiable), and when each still-available version was created.
 */
public record TransitKeyVersions(String name, String type, int latestVersion, int minDecryptionVersion,
        SortedMap<Integer, Instant> created) {

    public TransitKeyVersions {
        Objects.requireNonNull(name, "name cannot be null");
        Objects.requireNonNull(type, "type cannot be null");
        created = Collections.unmodifiableSortedMap(new TreeMap<>(created));
    }

    /** When the newest version was created. */
    public Instant latestCreated() {
        Instant at = created.get(latestVersion);
        if (at == null) {
            throw new IllegalStateException("Vault listed no creation time for " + name + " v" + latestVersion);
        }
        return at;
    }
}
