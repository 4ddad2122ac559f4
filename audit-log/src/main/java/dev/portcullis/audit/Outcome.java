package dev.portcullis.audit;

import java.util.Locale;
import java.util.Optional;

/**
 * The outcome of an audited action: {@code allow | deny | error} for decisions and
 * authentication, {@code success | failure} for operations (key rotation, encryption, scans).
 */
public enum Outcome {
    ALLOW, DENY, ERROR, SUCCESS, FAILURE;

    /** Computed once: every append writes it, and lower-casing allocated a new string each time. */
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The name used in JSON, e.g. {@code allow}. */
    public String wireName() {
        return wireName;
    }

    public static Optional<Outcome> fromWireName(String name) {
        for (Outcome outcome : values()) {
            if (outcome.wireName().equals(name)) {
                return Optional.of(outcome);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName();
    }
}
