package dev.portcullis.authz.check;

import java.util.EnumSet;
import java.util.Set;

/**
 * The check protocols this service answers ({@code portcullis.check.protocols}); a check that
 * arrives over any other is refused, audited, by the adapter that received it.
 */
public record EnabledProtocols(Set<Protocol> protocols) {

    public EnabledProtocols {
        protocols = protocols.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(protocols));
    }

    /** Every protocol: what the service answers when nothing is configured, and what unit tests use. */
    public static EnabledProtocols all() {
        return new EnabledProtocols(EnumSet.allOf(Protocol.class));
    }

    public boolean contains(Protocol protocol) {
        return protocols.contains(protocol);
    }
}
