package dev.portcullis.fields;

import java.util.Objects;
import java.util.Set;

import dev.portcullis.audit.Actor;

/**
 * Who asks to encrypt or decrypt, as authenticated by the surface in front (the authz-service's
 * identity layer, or the CLI's operator): the audit actor and the roles the field policy reads.
 */
public record Caller(Actor actor, Set<String> roles) {

    public Caller {
        Objects.requireNonNull(actor, "actor cannot be null");
        roles = Set.copyOf(Objects.requireNonNull(roles, "roles cannot be null"));
    }

    /** A caller known only by subject and roles. */
    public static Caller of(String subject, String... roles) {
        return new Caller(Actor.UNKNOWN.withSubject(subject), Set.of(roles));
    }
}
