package dev.portcullis.authz.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

/**
 * Reads a decision document and rejects anything not exactly of the agreed shape: {@code allow}
 * a boolean; {@code status} an integer (200 when allowed, 4xx/5xx when denied; absent means 200 or
 * 403); {@code reasons} an array of strings; {@code headers} an object of string values with valid
 * header names; {@code body} an optional string. An ill-shaped decision is never half-trusted: it is
 * a {@link PolicyError#MALFORMED_DECISION} and the request is denied.
 */
public final class PolicyDecisionReader {

    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");
    private static final int MAX_HEADER_VALUE = 4096;
    private static final int MAX_BODY = 16 * 1024;

    private PolicyDecisionReader() {
    }

    /**
     * @param result the value of {@code result} in OPA's answer, or null when it had none
     */
    public static PolicyDecision read(JsonNode result) throws PolicyException {
        if (result == null || result.isMissingNode()) {
            throw new PolicyException(PolicyError.UNDEFINED, "the decision is undefined");
        }
        if (!result.isObject()) {
            throw malformed("the decision is not an object");
        }
        JsonNode allowNode = result.get("allow");
        if (allowNode == null || !allowNode.isBoolean()) {
            throw malformed("'allow' must be a boolean");
        }
        boolean allow = allowNode.booleanValue();
        int status = allow ? 200 : 403;
        JsonNode statusNode = result.get("status");
        if (statusNode != null && !statusNode.isNull()) {
            if (!statusNode.isIntegralNumber() || !statusNode.canConvertToInt()) {
                throw malformed("'status' must be an integer");
            }
            status = statusNode.intValue();
        }
        if (allow && (status < 200 || status > 299)) {
            throw malformed("an allow decision must have a 2xx status, not " + status);
        }
        if (!allow && (status < 400 || status > 599)) {
            throw malformed("a deny decision must have a 4xx or 5xx status, not " + status);
        }
        List<String> reasons = new ArrayList<>();
        JsonNode reasonsNode = result.get("reasons");
        if (reasonsNode != null && !reasonsNode.isNull()) {
            if (!reasonsNode.isArray()) {
                throw malformed("'reasons' must be an array of strings");
            }
            for (JsonNode reason : reasonsNode) {
                if (!reason.isString()) {
                    throw malformed("'reasons' must be an array of strings");
                }
                reasons.add(reason.stringValue());
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode headersNode = result.get("headers");
        if (headersNode != null && !headersNode.isNull()) {
            if (!headersNode.isObject()) {
                throw malformed("'headers' must be an object of strings");
            }
            for (Map.Entry<String, JsonNode> e : headersNode.properties()) {
                if (!HEADER_NAME.matcher(e.getKey()).matches()) {
                    throw malformed("header name '" + e.getKey() + "' is not a valid HTTP header name");
                }
                JsonNode value = e.getValue();
                if (!value.isString() || value.stringValue().length() > MAX_HEADER_VALUE
                        || value.stringValue().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                    throw malformed("header '" + e.getKey() + "' must be a single-line string");
                }
                headers.put(e.getKey(), value.stringValue());
            }
        }
        String body = null;
        JsonNode bodyNode = result.get("body");
        if (bodyNode != null && !bodyNode.isNull()) {
            if (!bodyNode.isString() || bodyNode.stringValue().length() > MAX_BODY) {
                throw malformed("'body' must be a string of at most " + MAX_BODY + " characters");
            }
            body = bodyNode.stringValue();
        }
        if (reasons.isEmpty()) {
            reasons.add(allow ? "allowed_without_reason" : "denied_without_reason");
        }
        return new PolicyDecision(allow, status, reasons, headers, body);
    }

    private static PolicyException malformed(String detail) {
        return new PolicyException(PolicyError.MALFORMED_DECISION, detail);
    }
}
