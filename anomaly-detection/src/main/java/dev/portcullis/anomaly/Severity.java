package dev.portcullis.anomaly;

import java.util.Locale;
import java.util.Optional;

/** How urgent an alert is, lowest first: the contract's {@code severity}. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    /** The name used in JSON, e.g. {@code high}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when this severity is at least {@code other}. */
    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }

    public static Optional<Severity> fromWireName(String name) {
        for (Severity severity : values()) {
            if (severity.wireName().equals(name)) {
                return Optional.of(severity);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName();
    }
}
