package dev.portcullis.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who did it, as far as it is known: every member may be {@code null} ("unknown"), and all of them
 * are always written. For {@code authn.failure} the subject is whatever the rejected credential
 * claimed, if anything could be read.
 *
 * <p>{@code tokenId} identifies a token without revealing it (e.g. the {@code jti}, or a hash of
 * the token); a credential itself MUST NOT be put here or anywhere else in an event.
 *
 * <p>{@code extensions} are members of an imported event's actor that the contract does not name
 * (JSON values, as {@link AuditEvent}'s are): kept as they are, as the event's own, so that the
 * event hashes as it did where it came from. Producers leave it empty.
 */
public record Actor(
        String subject,
        String clientId,
        String spiffeId,
        String ip,
        String userAgent,
        String tokenId,
        String sessionId,
        Map<String, Object> extensions) {

    /** The contract's names of the members, as the JSON of an event writes them. */
    public static final List<String> MEMBER_NAMES = List.of("subject", "client_id", "spiffe_id", "ip", "user_agent",
            "token_id", "session_id");

    /** An actor of whom nothing is known. */
    public static final Actor UNKNOWN = new Actor(null, null, null, null, null, null, null);

    /**
     * An actor with extension members (import only).
     *
     * @throws IllegalArgumentException if an extension has the name of a contract member, which it
     *     would override in the written event
     */
    public Actor {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (extensions != null) {
            extensions.forEach((name, value) -> {
                Objects.requireNonNull(name, "extension name cannot be null");
                if (MEMBER_NAMES.contains(name)) {
                    throw new IllegalArgumentException("actor extension '" + name + "' is a member of the contract");
                }
                copy.put(name, value);
            });
        }
        extensions = Collections.unmodifiableMap(copy);
    }

    /** An actor with the contract's members only. */
    public Actor(String subject, String clientId, String spiffeId, String ip, String userAgent, String tokenId,
            String sessionId) {
        this(subject, clientId, spiffeId, ip, userAgent, tokenId, sessionId, Map.of());
    }

    /** A system actor: Portcullis itself acting on a schedule (rotation, detection). */
    public static Actor system(String component) {
        return new Actor("system:" + component, null, null, null, null, null, null);
    }

    public Actor withSubject(String newSubject) {
        return new Actor(newSubject, clientId, spiffeId, ip, userAgent, tokenId, sessionId, extensions);
    }
}
