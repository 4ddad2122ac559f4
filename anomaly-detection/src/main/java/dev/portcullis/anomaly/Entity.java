package dev.portcullis.anomaly;

import java.util.Objects;

/**
 * The principal an alert is about: a subject, an IP address, a client, a token id or a SPIFFE ID
 * (the contract's {@code entity}).
 */
public record Entity(EntityKind kind, String value) {

    public Entity {
        Objects.requireNonNull(kind, "kind cannot be null");
        Objects.requireNonNull(value, "value cannot be null");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("entity value cannot be empty");
        }
    }

    public static Entity subject(String value) {
        return new Entity(EntityKind.SUBJECT, value);
    }

    public static Entity ip(String value) {
        return new Entity(EntityKind.IP, value);
    }

    public static Entity client(String value) {
        return new Entity(EntityKind.CLIENT, value);
    }

    public static Entity token(String value) {
        return new Entity(EntityKind.TOKEN, value);
    }

    public static Entity spiffe(String value) {
        return new Entity(EntityKind.SPIFFE, value);
    }

    /** {@code kind:value}, the block-list key the authz policy matches ({@code subject:alice}). */
    public String key() {
        return kind.wireName() + ":" + value;
    }

    @Override
    public String toString() {
        return key();
    }
}
