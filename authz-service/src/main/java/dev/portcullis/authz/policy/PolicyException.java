package dev.portcullis.authz.policy;

import java.util.Objects;

/** The policy engine gave no usable decision; the request must be denied (fail closed). */
public final class PolicyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final PolicyError error;

    public PolicyException(PolicyError error, String detail) {
        this(error, detail, null);
    }

    public PolicyException(PolicyError error, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.error = Objects.requireNonNull(error, "error cannot be null");
    }

    public PolicyError error() {
        return error;
    }
}
