package dev.portcullis.authz.policy;

import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The data document a Wasm module is given, put together from OPA's answers to
 * {@code GET /v1/data/<path>} as the revision watcher read them: each answer's {@code result}
 * placed at its path ({@code portcullis/blocklist} becomes
 * {@code {"portcullis": {"blocklist": ...}}}). An answer without a result (a document OPA does not
 * have) is left out, so it is undefined for the module as it is for OPA.
 */
final class OpaDataDocument {

    private OpaDataDocument() {
    }

    /**
     * @param answers each watched path and OPA's answer for it, in the configured order
     * @return the combined document as JSON, or empty when the answers cannot be combined: an
     *     answer that is not a JSON object, an empty path or segment, or a path that runs through
     *     a value that is not an object
     */
    static Optional<String> combine(Map<String, byte[]> answers, JsonMapper json) {
        ObjectNode root = json.createObjectNode();
        for (Map.Entry<String, byte[]> document : answers.entrySet()) {
            JsonNode answer;
            try {
                answer = json.readTree(document.getValue());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            if (answer == null || !answer.isObject()) {
                return Optional.empty();
            }
            JsonNode value = answer.get("result");
            if (value == null) {
                continue;
            }
            String[] segments = document.getKey().split("/", -1);
            ObjectNode parent = root;
            for (int i = 0; i < segments.length; i++) {
                if (segments[i].isEmpty()) {
                    return Optional.empty();
                }
                if (i == segments.length - 1) {
                    parent.set(segments[i], value);
                } else if (parent.get(segments[i]) == null) {
                    parent = parent.putObject(segments[i]);
                } else if (parent.get(segments[i]) instanceof ObjectNode object) {
                    parent = object;
                } else {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(json.writeValueAsString(root));
    }
}
