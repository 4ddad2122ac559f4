package dev.portcullis.fields.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.portcullis.fields.FieldRule;

/**
 * The field policy's answer: whether the operation is allowed, the document type's field rules,
 * the classes the caller may read in clear, and why.
 *
 * @param allowed whether the operation may proceed at all
 * @param rules the sensitive fields of the document type
 * @param readableClasses the classes returned in clear on decrypt (empty: everything masked)
 * @param reasons short machine-friendly reasons, e.g. {@code grant:pii-reader:pii}
 * @param failedClosed true when the policy could not be evaluated and this is the fail-closed default
 */
public record FieldPolicyDecision(boolean allowed, List<FieldRule> rules, Set<String> readableClasses,
        List<String> reasons, boolean failedClosed) {

    public FieldPolicyDecision {
        rules = List.copyOf(Objects.requireNonNull(rules, "rules cannot be null"));
        readableClasses = Set.copyOf(Objects.requireNonNull(readableClasses, "readableClasses cannot be null"));
        reasons = List.copyOf(Objects.requireNonNull(reasons, "reasons cannot be null"));
    }

    /** The decision when the policy failed: nothing allowed, nothing readable, with the reason. */
    public static FieldPolicyDecision failClosed(String reason) {
        return new FieldPolicyDecision(false, List.of(), Set.of(), List.of(reason), true);
    }
}
