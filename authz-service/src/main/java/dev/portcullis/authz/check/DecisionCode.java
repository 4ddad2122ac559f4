package dev.portcullis.authz.check;

/**
 * What kind of answer a {@link Decision} is. Stable: used as a metric label and in audit events.
 */
public enum DecisionCode {
    /** The policy allowed the request. */
    ALLOWED("allowed"),
    /** The policy denied the request (including "authentication required" for anonymous callers). */
    DENIED_BY_POLICY("denied_by_policy"),
    /** A credential was presented and rejected (bad token, bad certificate): 401. */
    AUTHENTICATION_FAILED("authentication_failed"),
    /** The caller of Portcullis is not allowed to ask (e.g. not a trusted proxy): 403. */
    CALLER_NOT_TRUSTED("caller_not_trusted"),
    /** The policy engine failed, timed out or answered nonsense: deny with 503. */
    POLICY_ERROR("policy_error"),
    /** The decision could not be audited: deny with 503. */
    AUDIT_ERROR("audit_error"),
    /** The check itself was malformed (e.g. no method or path): 400. */
    BAD_CHECK("bad_check"),
    /** Answering failed in an unexpected way (a defect of Portcullis, not of the check): deny with 500. */
    INTERNAL_ERROR("internal_error");

    private final String label;

    DecisionCode(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
