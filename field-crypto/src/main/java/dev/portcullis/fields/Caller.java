package dev.portcullis.fields;

import java.util.Objects;
import java.util.Set;

import dev.portcullis.audit.Actor;

/**
 * Who asks to encrypt or decrypt, as authenticated by the surface in front (the authz-service's
 * identity layer, or the CLI's operator): the audit actor, the roles the field policy reads, and the
 * tenants the caller belongs to. Membership comes from the caller's verified identity (the token's
 * tenants claim), never from the request: the policy lets a caller work on a tenant's documents only
 * as one of its members, so a role granted in one tenant does not open another.
 */
public record Caller(Actor actor, Set<String> roles, Set<String> tenants) {

    public Caller {
        Objects.requireNonNull(actor, "actor cannot be null");
        roles = Set.copyOf(Objects.requireNonNull(roles, "roles cannot be null"));
        tenants = Set.copyOf(Objects.requireNonNull(tenants, "tenants cannot be null"));
    }

    /** A member of {@code tenant} known only by subject and roles. */
    public static Caller memberOf(String tenant, String subject, String... roles) {
        return new Caller(Actor.UNKNOWN.withSubject(subject), Set.of(roles), Set.of(tenant));
    }
}
