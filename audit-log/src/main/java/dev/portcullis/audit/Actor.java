package dev.portcullis.audit;

/**
 * Who did it, as far as it is known: every member may be {@code null} ("unknown"), and all of them
 * are always written. For {@code authn.failure} the subject is whatever the rejected credential
 * claimed, if anything could be read.
 *
 * <p>{@code tokenId} identifies a token without revealing it (e.g. the {@code jti}, or a hash of
 * the token); a credential itself MUST NOT be put here or anywhere else in an event.
 */
public record Actor(
        String subject,
        String clientId,
        String spiffeId,
        String ip,
        String userAgent,
        String tokenId,
        String sessionId) {

    /** An actor of whom nothing is known. */
    public static final Actor UNKNOWN = new Actor(null, null, null, null, null, null, null);

    /** A system actor: Portcullis itself acting on a schedule (rotation, detection). */
    public static Actor system(String component) {
        return new Actor("system:" + component, null, null, null, null, null, null);
    }

    public Actor withSubject(String newSubject) {
        return new Actor(newSubject, clientId, spiffeId, ip, userAgent, tokenId, sessionId);
    }
}
