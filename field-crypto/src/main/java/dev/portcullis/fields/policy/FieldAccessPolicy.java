package dev.portcullis.fields.policy;

/**
 * Decides which fields of a document type are sensitive (their rules) and which data classes a
 * caller may read. Implementations never throw for a policy failure: they return
 * {@link FieldPolicyDecision#failClosed} with the reason, so a caller cannot forget to deny.
 */
@FunctionalInterface
public interface FieldAccessPolicy {

    FieldPolicyDecision decide(FieldPolicyRequest request);
}
