package dev.portcullis.authz.check;

import java.time.Duration;

/** Told about every decision after it is final (metrics, logs). Must not throw or block. */
@FunctionalInterface
public interface DecisionListener {

    DecisionListener NONE = (context, decision, elapsed) -> { };

    /** @param context the check, or null when the check was refused before one could be built */
    void decided(CheckContext context, Decision decision, Duration elapsed);
}
