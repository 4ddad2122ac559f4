package dev.portcullis.authz.check;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to one check, in the same shape whatever protocol asked: allowed or not, the HTTP
 * status to give the client when denied, why, the headers to add (to the upstream request when
 * allowed, to the client's response when denied), and a body for denials.
 *
 * <p>{@link #code()} says which kind of answer this is: a policy decision, a rejected credential,
 * or a failure of a dependency; the adapters and metrics branch on it, never on the status alone.
 *
 * @param decisionId the id of this decision (also the audit event's id)
 * @param code what kind of answer this is
 * @param allow whether the request may pass
 * @param status the HTTP status for the client: 200 when allowed; 401, 403, 503... when not
 * @param reasons why, in short machine-friendly strings (e.g. {@code role:order-reader})
 * @param headers headers for the upstream (allow) or the client (deny)
 * @param body the response body for a denial, or null for none
 * @param subject the authenticated subject, or null
 */
public record Decision(
        String decisionId,
        DecisionCode code,
        boolean allow,
        int status,
        List<String> reasons,
        Map<String, String> headers,
        String body,
        String subject) {

    public Decision {
        Objects.requireNonNull(decisionId, "decisionId cannot be null");
        Objects.requireNonNull(code, "code cannot be null");
        reasons = List.copyOf(reasons);
        headers = Map.copyOf(headers);
        if (allow && (status < 200 || status > 299)) {
            throw new IllegalArgumentException("an allow decision needs a 2xx status, got " + status);
        }
        if (!allow && status < 400) {
            // Fail closed: a denial must never carry a status a proxy could read as success.
            throw new IllegalArgumentException("a deny decision needs a 4xx or 5xx status, got " + status);
        }
    }
}
