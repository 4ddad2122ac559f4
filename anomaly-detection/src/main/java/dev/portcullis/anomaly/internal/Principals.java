package dev.portcullis.anomaly.internal;

import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;

/** Which entity an event is about, and small value helpers shared by the detectors. */
public final class Principals {

    private Principals() {
    }

    /**
     * The principal an event is the activity of: the subject, else the SPIFFE ID, else the client,
     * else the source IP; null for an event whose actor Portcullis did not verify (see
     * {@link #hasVerifiedActor}), for Portcullis's own system actors ({@code system:...}) and for an
     * actor with nothing known.
     *
     * <p>Every detector that keeps state per principal takes its entity from here, so that no
     * rejected credential counts as the activity of the subject it claimed.
     */
    public static Entity principal(AuditEvent event) {
        return hasVerifiedActor(event) ? principal(event.actor()) : null;
    }

    /**
     * Whether the event's actor is one Portcullis verified. False for {@code authn.failure}: its
     * subject is whatever the rejected credential claimed (the contract says so), and anyone can send
     * a token claiming to be anyone. Counted as that subject's activity, such events would let an
     * attacker raise alerts about a victim, and have the responses disable and block the victim. Only
     * the detectors built for rejected credentials read them ({@code brute-force}, whose alerts no
     * response acts on, and {@code credential-stuffing}, whose entity is the source address).
     */
    public static boolean hasVerifiedActor(AuditEvent event) {
        return event.type() != EventType.AUTHN_FAILURE;
    }

    private static Entity principal(Actor actor) {
        String subject = actor.subject();
        if (subject != null && !subject.isEmpty()) {
            return isSystem(subject) ? null : new Entity(EntityKind.SUBJECT, subject);
        }
        if (nonEmpty(actor.spiffeId())) {
            return new Entity(EntityKind.SPIFFE, actor.spiffeId());
        }
        if (nonEmpty(actor.clientId())) {
            return new Entity(EntityKind.CLIENT, actor.clientId());
        }
        if (nonEmpty(actor.ip())) {
            return new Entity(EntityKind.IP, actor.ip());
        }
        return null;
    }

    /**
     * The key a detector keeps {@code who}'s state under: the subject string itself for a subject
     * (nearly every principal), so that no {@link Entity} is retained per tracked subject and the
     * string is the one the event already holds; {@code who} for the other kinds. A subject key
     * (a {@code String}) never equals an {@code Entity} key, so kinds cannot collide.
     */
    public static Object stateKey(Entity who) {
        return who.kind() == EntityKind.SUBJECT ? who.value() : who;
    }

    /** The entity a {@link #stateKey} stands for. */
    public static Entity fromStateKey(Object key) {
        return key instanceof String subject ? new Entity(EntityKind.SUBJECT, subject) : (Entity) key;
    }

    /** True for the subjects Portcullis uses for its own actions ({@code system:anomaly-detection}). */
    public static boolean isSystem(String subject) {
        return subject != null && subject.startsWith("system:");
    }

    public static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    /**
     * A hash of the network an IP address is in: the /24 of an IPv4 address, the first three groups
     * (about a /48) of an IPv6 address as written. Approximate for compressed IPv6 forms, which is
     * enough to tell "a network this subject has used" from "a new one".
     */
    public static int networkHash(String ip) {
        if (ip == null) {
            return 0;
        }
        int colon = ip.indexOf(':');
        if (colon >= 0) {
            int end = colon;
            for (int i = 0; i < 2 && end >= 0; i++) {
                end = ip.indexOf(':', end + 1);
            }
            return (end < 0 ? ip : ip.substring(0, end)).hashCode();
        }
        int lastDot = ip.lastIndexOf('.');
        return (lastDot < 0 ? ip : ip.substring(0, lastDot)).hashCode();
    }

    /** The network of an IP address for people: {@code 203.0.113.0/24}. */
    public static String network(String ip) {
        if (ip == null) {
            return "unknown";
        }
        if (ip.indexOf(':') >= 0) {
            return ip + " (its /48)";
        }
        int lastDot = ip.lastIndexOf('.');
        return lastDot < 0 ? ip : ip.substring(0, lastDot) + ".0/24";
    }

    /** A hash that is never 0 (0 marks "nothing" in the primitive sets). */
    public static int hash(String s) {
        int h = s == null ? 0 : s.hashCode();
        return h == 0 ? 1 : h;
    }
}
