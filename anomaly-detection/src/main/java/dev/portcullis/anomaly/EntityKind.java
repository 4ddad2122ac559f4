package dev.portcullis.anomaly;

import java.util.Locale;
import java.util.Optional;

/**
 * The kind of principal an alert is about: the contract's {@code entity.kind}. The wire name is
 * also the prefix of a block-list key ({@code subject:alice}, {@code ip:203.0.113.7}).
 */
public enum EntityKind {
    SUBJECT, IP, CLIENT, TOKEN, SPIFFE;

    /** The name used in JSON and in block-list keys, e.g. {@code subject}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<EntityKind> fromWireName(String name) {
        for (EntityKind kind : values()) {
            if (kind.wireName().equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName();
    }
}
