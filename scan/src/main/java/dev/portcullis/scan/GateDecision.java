package dev.portcullis.scan;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gate's verdict ({@code data.portcullis.ci.gate.result}): whether the build may ship, and why
 * not.
 *
 * @param pass true only when nothing blocks and every suppression is valid and unexpired
 * @param reasons one sentence per failure, sorted
 * @param blocking the key of every blocking finding with the causes that make it block
 *     ({@code cvss_at_or_above_threshold}, {@code known_exploited}, {@code no_cvss_score},
 *     {@code iac_rule_violated})
 * @param suppressed findings that would block, let through by an active suppression
 * @param expired suppressions past their expiry (each fails the gate)
 * @param invalid suppressions missing a required field, with what is missing
 */
public record GateDecision(
        boolean pass,
        List<String> reasons,
        Map<String, List<String>> blocking,
        List<Suppressed> suppressed,
        List<Suppression> expired,
        List<Invalid> invalid) {

    public GateDecision {
        reasons = List.copyOf(reasons);
        blocking = Map.copyOf(blocking);
        suppressed = List.copyOf(suppressed);
        expired = List.copyOf(expired);
        invalid = List.copyOf(invalid);
        if (pass && !(reasons.isEmpty() && blocking.isEmpty() && expired.isEmpty() && invalid.isEmpty())) {
            throw new IllegalArgumentException("a passing gate decision cannot carry failures");
        }
    }

    /** A finding let through by a suppression. */
    public record Suppressed(String findingKey, Suppression suppression) {
        public Suppressed {
            Objects.requireNonNull(findingKey, "findingKey cannot be null");
            Objects.requireNonNull(suppression, "suppression cannot be null");
        }
    }

    /** A suppression the gate refused, and why. */
    public record Invalid(Suppression suppression, List<String> problems) {
        public Invalid {
            problems = List.copyOf(problems);
        }
    }
}
