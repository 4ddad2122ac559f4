package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/** OPA's answers for the watched data paths, put together into the document a Wasm module is given. */
class OpaDataDocumentTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void eachResultIsPlacedAtItsPath() {
        Map<String, byte[]> answers = answers(
                "authz", "{\"result\":{\"routes\":[{\"name\":\"orders-read\"}]}}",
                "portcullis/blocklist", "{\"result\":{\"entries\":{\"subject:mallory\":{\"until\":\"2099-01-01T00:00:00Z\"}}}}");

        assertThat(JSON.readTree(OpaDataDocument.combine(answers, JSON).orElseThrow())).isEqualTo(JSON.readTree(
                "{\"authz\":{\"routes\":[{\"name\":\"orders-read\"}]},"
                        + "\"portcullis\":{\"blocklist\":{\"entries\":{\"subject:mallory\":{\"until\":\"2099-01-01T00:00:00Z\"}}}}}"));
    }

    @Test
    void aDocumentOpaDoesNotHaveIsLeftOutAsItIsUndefinedThere() {
        Map<String, byte[]> answers = answers("authz", "{\"result\":{\"routes\":[]}}", "portcullis/blocklist", "{}");

        assertThat(OpaDataDocument.combine(answers, JSON)).hasValue("{\"authz\":{\"routes\":[]}}");
    }

    @Test
    void pathsUnderOneParentShareIt() {
        Map<String, byte[]> answers = answers("portcullis/blocklist", "{\"result\":{\"entries\":{}}}",
                "portcullis/allowlist", "{\"result\":[]}");

        assertThat(OpaDataDocument.combine(answers, JSON))
                .hasValue("{\"portcullis\":{\"blocklist\":{\"entries\":{}},\"allowlist\":[]}}");
    }

    @Test
    void answersThatCannotBeCombinedGiveNothing() {
        assertThat(OpaDataDocument.combine(answers("authz", "<html>"), JSON)).as("not JSON").isEmpty();
        assertThat(OpaDataDocument.combine(answers("authz", "[1]"), JSON)).as("not an object").isEmpty();
        assertThat(OpaDataDocument.combine(answers("", "{\"result\":1}"), JSON)).as("the whole of data").isEmpty();
        assertThat(OpaDataDocument.combine(answers("a//b", "{\"result\":1}"), JSON)).as("an empty segment").isEmpty();
        assertThat(OpaDataDocument.combine(answers("a", "{\"result\":1}", "a/b", "{\"result\":2}"), JSON))
                .as("a path through a number").isEmpty();
    }

    private static Map<String, byte[]> answers(String... pathsAndAnswers) {
        Map<String, byte[]> answers = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndAnswers.length; i += 2) {
            answers.put(pathsAndAnswers[i], pathsAndAnswers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return answers;
    }
}
