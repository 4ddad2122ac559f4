package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policies shipped in the jar are exactly the non-test Rego files of policies/ci and policies/terraform. */
class BuiltInPoliciesTest {

    @TempDir
    Path dir;

    @Test
    void builtInPolicyListMatchesThePolicyFolders() throws IOException {
        Path policies = Path.of("..", "policies");
        for (String folder : OpaEvaluator.BUILT_IN_POLICIES.keySet()) {
            try (Stream<Path> files = Files.list(policies.resolve(folder))) {
                List<String> rego = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".rego") && !n.endsWith("_test.rego")).sorted().toList();
                assertThat(OpaEvaluator.BUILT_IN_POLICIES.get(folder)).as(folder).containsExactlyElementsOf(rego);
            }
        }
    }

    @Test
    void extractWritesTheSameBytesAsTheRepository() throws Exception {
        OpaEvaluator.extractBuiltInPolicies(dir);
        assertThat(Files.readString(dir.resolve("ci/gate.rego")))
                .isEqualTo(Files.readString(Path.of("..", "policies", "ci", "gate.rego")));
        assertThat(Files.readString(dir.resolve("terraform/terraform.rego")))
                .isEqualTo(Files.readString(Path.of("..", "policies", "terraform", "terraform.rego")));
    }
}
