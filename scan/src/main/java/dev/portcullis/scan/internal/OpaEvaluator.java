package dev.portcullis.scan.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Evaluates a query over our Rego policies with the {@code opa} binary ({@code opa eval}), the
 * same engine that runs {@code opa test} on them. An undefined result, an OPA error or output that
 * is not the expected JSON is a {@link ScanError#POLICY_FAILED}: the caller fails closed.
 */
public final class OpaEvaluator {

    /** The policy files shipped in this library, by folder; {@code PoliciesTest} keeps it in step with policies/. */
    public static final Map<String, List<String>> BUILT_IN_POLICIES = Map.of(
            "ci", List.of("gate.rego"),
            "terraform", List.of("terraform.rego"));

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final ProcessRunner runner;
    private final Path opa;
    private final Path policyRoot;

    /**
     * @param policyRoot a folder with {@code ci/} and {@code terraform/} policy folders
     */
    public OpaEvaluator(ProcessRunner runner, Path opa, Path policyRoot) {
        this.runner = Objects.requireNonNull(runner, "runner cannot be null");
        this.opa = Objects.requireNonNull(opa, "opa cannot be null");
        this.policyRoot = Objects.requireNonNull(policyRoot, "policyRoot cannot be null");
    }

    /** Copies the built-in policies out of the jar into {@code dir} and returns {@code dir}. */
    public static Path extractBuiltInPolicies(Path dir) throws ScanException {
        try {
            for (Map.Entry<String, List<String>> folder : BUILT_IN_POLICIES.entrySet()) {
                Path target = dir.resolve(folder.getKey());
                Files.createDirectories(target);
                for (String file : folder.getValue()) {
                    String resource = "/dev/portcullis/scan/policies/" + folder.getKey() + "/" + file;
                    try (InputStream in = OpaEvaluator.class.getResourceAsStream(resource)) {
                        if (in == null) {
                            throw new ScanException(ScanError.POLICY_FAILED, "the scan library lacks its policy " + resource);
                        }
                        Files.copy(in, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new ScanException(ScanError.OUTPUT_FAILED, "cannot write the policies into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Evaluates {@code query} (e.g. {@code data.portcullis.ci.gate.result}) over the policies in
     * {@code folder} with {@code input}, and returns its value.
     */
    public JsonNode evaluate(String name, String folder, String query, JsonNode input) throws ScanException {
        Path policies = policyRoot.resolve(folder);
        if (!Files.isDirectory(policies)) {
            throw new ScanException(ScanError.POLICY_FAILED, "no policy folder " + policies);
        }
        List<String> command = List.of(opa.toString(), "eval", "--format=json", "--stdin-input",
                "--ignore=*_test.rego", "--data=" + policies, query);
        ProcessRunner.Result result = runner.run(name, command, policyRoot, Map.of(),
                MAPPER.writeValueAsBytes(input), TIMEOUT);
        if (result.exitCode() != 0) {
            throw new ScanException(ScanError.POLICY_FAILED, "opa eval " + query + " failed: " + result.lastLine());
        }
        JsonNode output;
        try {
            output = MAPPER.readTree(Files.readString(result.stdout(), StandardCharsets.UTF_8));
        } catch (IOException | JacksonException e) {
            throw new ScanException(ScanError.POLICY_FAILED, "opa eval " + query + " printed something that is not JSON", e);
        }
        JsonNode value = output.path("result").path(0).path("expressions").path(0).path("value");
        if (value.isMissingNode()) {
            throw new ScanException(ScanError.POLICY_FAILED, query + " is undefined for this input; failing closed");
        }
        return value;
    }
}
