package dev.portcullis.fields.policy;

import java.util.Objects;

import dev.portcullis.fields.Caller;

/**
 * The question asked of the field policy: may {@code caller} {@code operation} documents of
 * {@code documentType} in {@code tenant}, which fields are sensitive, and which classes may it read.
 */
public record FieldPolicyRequest(Operation operation, Caller caller, String tenant, String documentType) {

    /** The operation asked about. */
    public enum Operation {
        ENCRYPT("encrypt"), DECRYPT("decrypt");

        private final String wireName;

        Operation(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public FieldPolicyRequest {
        Objects.requireNonNull(operation, "operation cannot be null");
        Objects.requireNonNull(caller, "caller cannot be null");
        Objects.requireNonNull(tenant, "tenant cannot be null");
        Objects.requireNonNull(documentType, "documentType cannot be null");
    }
}
