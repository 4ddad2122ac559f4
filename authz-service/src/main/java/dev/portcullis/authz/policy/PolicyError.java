package dev.portcullis.authz.policy;

import java.util.Locale;

/** Why the policy engine gave no usable decision. Stable: audit reasons and metric labels. */
public enum PolicyError {
    /** No answer within the timeout. */
    TIMEOUT,
    /** Could not connect, or the connection broke. */
    UNREACHABLE,
    /** The circuit breaker is open after repeated failures; the engine was not asked. */
    CIRCUIT_OPEN,
    /** The engine answered with an HTTP error. */
    ENGINE_ERROR,
    /** The decision is undefined (no rule produced it: a missing or broken policy). */
    UNDEFINED,
    /** The decision has the wrong shape or types. */
    MALFORMED_DECISION;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
