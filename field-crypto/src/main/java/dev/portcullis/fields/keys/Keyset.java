package dev.portcullis.fields.keys;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.portcullis.fields.internal.Envelope;

/**
 * A named, versioned set of wrapped data keys: a tenant's keyset ({@code t:<tenant>}) or a data
 * subject's ({@code s:<random id>}, so that ciphertexts name no subject). Encrypt with the primary
 * (highest) version; decrypt by version. Immutable.
 *
 * @param id the keyset id, the key name in ciphertexts
 * @param tenant the tenant it belongs to
 * @param kind tenant or subject
 * @param versions its versions, any order, at least one
 */
public record Keyset(String id, String tenant, Kind kind, List<KeyVersion> versions) {

    /** Whose key it is. */
    public enum Kind {
        TENANT, SUBJECT
    }

    public Keyset {
        Objects.requireNonNull(id, "id cannot be null");
        if (!Envelope.KEY_NAME.matcher(id).matches()) {
            throw new IllegalArgumentException("keyset id must match " + Envelope.KEY_NAME.pattern());
        }
        Objects.requireNonNull(tenant, "tenant cannot be null");
        Objects.requireNonNull(kind, "kind cannot be null");
        versions = List.copyOf(versions);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("a keyset has at least one version");
        }
        if (versions.stream().map(KeyVersion::version).distinct().count() != versions.size()) {
            throw new IllegalArgumentException("keyset " + id + " has duplicate versions");
        }
    }

    /** The id of tenant {@code tenant}'s keyset. */
    public static String tenantKeysetId(String tenant) {
        return "t:" + tenant;
    }

    public KeyVersion primary() {
        return versions.stream().max(Comparator.comparingInt(KeyVersion::version)).orElseThrow();
    }

    public Optional<KeyVersion> version(int version) {
        return versions.stream().filter(v -> v.version() == version).findFirst();
    }
}
