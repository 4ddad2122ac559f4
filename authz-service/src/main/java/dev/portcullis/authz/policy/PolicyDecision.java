package dev.portcullis.authz.policy;

import java.util.List;
import java.util.Map;

/**
 * What the policy decided ({@code data.portcullis.authz.decision}): allow or not, the status for
 * a denial, the reasons, headers to add, and optionally a body for the denial.
 */
public record PolicyDecision(boolean allow, int status, List<String> reasons, Map<String, String> headers, String body) {

    public PolicyDecision {
        reasons = List.copyOf(reasons);
        headers = Map.copyOf(headers);
    }
}
