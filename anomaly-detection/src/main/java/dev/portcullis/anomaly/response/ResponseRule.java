package dev.portcullis.anomaly.response;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.SourceAddress;

/**
 * Which alerts a response acts on: at least {@code minSeverity}, from one of {@code detectors}
 * (all when empty), about an entity of one of {@code kinds}, and not about one of the
 * {@code protectedValues} (e.g. the break-glass admin account, which a response must never lock out;
 * compared without regard to case, as Keycloak treats user names).
 *
 * <p>Never, whatever the rule says, an alert whose subject is only what rejected credentials
 * claimed ({@link #CLAIMED_SUBJECT_DETECTORS}): anyone can send a forged token naming any user, and
 * acting on such an alert would let an anonymous attacker have an administrator disabled and
 * blocked, again after every cooldown. Those alerts are for people to read; their source addresses
 * are what credential-stuffing alerts (and responses on {@code ip}) act on.
 */
public record ResponseRule(Severity minSeverity, Set<String> detectors, Set<EntityKind> kinds,
        Set<String> protectedValues) {

    /** Detectors whose subject entity comes from failed authentications: what a credential claimed. */
    public static final Set<String> CLAIMED_SUBJECT_DETECTORS = Set.of("brute-force");

    /** Default minimum severity: automatic action only on high and critical alerts. */
    public static final Severity DEFAULT_MIN_SEVERITY = Severity.HIGH;

    public ResponseRule {
        Objects.requireNonNull(minSeverity, "minSeverity cannot be null");
        detectors = Set.copyOf(detectors);
        kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
        // A protected address protects the network a block would name for it (its IPv6 /64), so a
        // block of that network does not lock the protected host out with it.
        protectedValues = protectedValues.stream()
                .flatMap(v -> Stream.of(v.strip(), SourceAddress.network(v.strip())))
                .map(ResponseRule::normalized).collect(Collectors.toUnmodifiableSet());
    }

    /** High and critical alerts from every detector, about entities of {@code kinds}. */
    public static ResponseRule of(Set<EntityKind> kinds) {
        return new ResponseRule(DEFAULT_MIN_SEVERITY, Set.of(), kinds, Set.of());
    }

    public ResponseRule withMinSeverity(Severity severity) {
        return new ResponseRule(severity, detectors, kinds, protectedValues);
    }

    public ResponseRule withDetectors(Set<String> names) {
        return new ResponseRule(minSeverity, names, kinds, protectedValues);
    }

    public ResponseRule withProtected(Set<String> values) {
        return new ResponseRule(minSeverity, detectors, kinds, values);
    }

    /** Why the rule does not apply to {@code alert}, or null when it does. */
    public String whyNot(Alert alert) {
        if (!alert.severity().atLeast(minSeverity)) {
            return "severity " + alert.severity() + " is below " + minSeverity;
        }
        if (!detectors.isEmpty() && !detectors.contains(alert.detector())) {
            return "detector " + alert.detector() + " is not one this response acts on";
        }
        if (!kinds.contains(alert.entity().kind())) {
            return "entity kind " + alert.entity().kind() + " is not one this response acts on";
        }
        if (alert.entity().kind() == EntityKind.SUBJECT && CLAIMED_SUBJECT_DETECTORS.contains(alert.detector())) {
            return "a " + alert.detector() + " alert names the subject that rejected credentials claimed, which anyone"
                    + " can claim: no automatic response acts on it";
        }
        if (isProtected(alert.entity().value())) {
            return alert.entity().key() + " is protected from automatic responses";
        }
        return null;
    }

    /** Whether {@code value} (a user name, an address, ...) is one no response may touch, whatever its case. */
    public boolean isProtected(String value) {
        return value != null && protectedValues.contains(normalized(value));
    }

    private static String normalized(String value) {
        return value.strip().toLowerCase(Locale.ROOT);
    }
}
