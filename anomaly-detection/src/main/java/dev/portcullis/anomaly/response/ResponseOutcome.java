package dev.portcullis.anomaly.response;

import java.util.Objects;

/**
 * What one response action did for one alert. {@code detail} is for the operator and the audit
 * record: it names the target and the result, never a credential.
 *
 * @param action e.g. {@code revoke-sessions}, {@code disable-user}, {@code block}
 * @param target what was acted on, e.g. {@code keycloak:portcullis/user/alice}, {@code opa:blocklist/subject:alice}
 */
public record ResponseOutcome(String responder, String action, ResponseMode mode, Status status, String target,
        String detail) {

    /** The result of a response action; stable names, usable as metric labels. */
    public enum Status {
        /** The action was carried out. */
        APPLIED,
        /** Dry run: the action would have been carried out. */
        WOULD_APPLY,
        /** The alert is not one this response acts on, or there was nothing to do. */
        NOT_APPLICABLE,
        /** The action was attempted and failed; the detail says why. */
        FAILED
    }

    public ResponseOutcome {
        Objects.requireNonNull(responder, "responder cannot be null");
        Objects.requireNonNull(action, "action cannot be null");
        Objects.requireNonNull(mode, "mode cannot be null");
        Objects.requireNonNull(status, "status cannot be null");
        Objects.requireNonNull(target, "target cannot be null");
        Objects.requireNonNull(detail, "detail cannot be null");
    }
}
