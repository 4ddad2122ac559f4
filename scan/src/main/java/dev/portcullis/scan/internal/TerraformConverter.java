package dev.portcullis.scan.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts Terraform folders into the input of {@code policies/terraform}: every {@code *.tf}
 * and {@code *.tofu} file (OpenTofu reads both) through {@code hcl2json} (hashicorp/hcl/v2, the
 * parser Terraform uses), every {@code *.tf.json} and {@code *.tofu.json} file as it is, every
 * {@code *.hcl} file that is a Vault policy (top-level {@code path} blocks), and the policy text
 * of each {@code vault_policy} resource: a literal heredoc, or a
 * {@code file("${path.module}/...")} outside the scanned folders. Folders named
 * {@code .terraform} (downloaded modules) are skipped; symbolic links to folders are followed.
 * A folder with nothing to check is refused ({@link ScanError#INVALID_REQUEST}): a pass must
 * never mean "found no file".
 *
 * <p>Paths given to the rules start at the scanned folder's own name
 * ({@code terraform/modules/vault/main.tf}), so that the rules' dev-folder exception never sees
 * the folders above it; {@link Conversion#displayPath} maps them back to the path as given.
 */
public final class TerraformConverter {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Pattern FILE_FUNCTION = Pattern.compile(
            "^\\$\\{file\\(\"(?:\\$\\{path\\.module\\}/)?([^\"$]+)\"\\)\\}$");

    /** The rules' input, and how to name its files for people. */
    /**
     * The rules' input, the display path of each file the rules name, how many files were read,
     * and what could not be checked (said in the report: a policy the rules never saw must not
     * pass for a checked one).
     */
    public record Conversion(ObjectNode input, Map<String, String> displayPaths, int files, List<String> unchecked) {
        public String displayPath(String rulePath) {
            return displayPaths.getOrDefault(rulePath, rulePath);
        }
    }

    private final ProcessRunner runner;
    private final Path hcl2json;

    public TerraformConverter(ProcessRunner runner, Path hcl2json) {
        this.runner = Objects.requireNonNull(runner, "runner cannot be null");
        this.hcl2json = Objects.requireNonNull(hcl2json, "hcl2json cannot be null");
    }

    /** A policy that is exactly a vault_policy_document data source's output, which the rules check on its own. */
    private static final java.util.regex.Pattern DOCUMENT_REFERENCE =
            java.util.regex.Pattern.compile("\\$\\{data\\.vault_policy_document\\.[A-Za-z0-9_-]+\\.hcl\\}");

    public Conversion convert(List<Path> dirs) throws ScanException {
        ObjectNode input = MAPPER.createObjectNode();
        ArrayNode files = input.putArray("files");
        Map<String, String> display = new HashMap<>();
        List<Path> roots = dirs.stream().map(d -> d.toAbsolutePath().normalize()).toList();
        int count = 0;
        List<String> unchecked = new java.util.ArrayList<>();
        for (Path dir : dirs) {
            Path root = dir.toAbsolutePath().normalize();
            String rootName = root.getFileName() == null ? "" : root.getFileName().toString();
            int before = files.size();
            for (Path file : sources(root)) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                String rulePath = rootName.isEmpty() ? relative : rootName + "/" + relative;
                display.put(rulePath, dir.resolve(relative).normalize().toString().replace('\\', '/'));
                String name = file.getFileName().toString();
                count++;
                if (name.endsWith(".tf.json") || name.endsWith(".tofu.json")) {
                    files.add(entry(rulePath, "terraform", readJson(file)));
                } else if (name.endsWith(".tf") || name.endsWith(".tofu")) {
                    JsonNode config = hcl(file, null);
                    files.add(entry(rulePath, "terraform", config));
                    inlinePolicies(file, rulePath, config, roots, files, unchecked);
                } else if (name.endsWith(".hcl")) {
                    JsonNode config = hcl(file, null);
                    if (config.path("path").isObject()) {
                        files.add(entry(rulePath, "vault_policy", config));
                    }
                }
            }
            if (files.size() == before) {
                throw new ScanException(ScanError.INVALID_REQUEST, "Terraform folder " + dir + " holds nothing to check"
                        + " (no *.tf, *.tf.json, *.tofu, *.tofu.json or Vault policy *.hcl file)");
            }
        }
        return new Conversion(input, Map.copyOf(display), count, List.copyOf(unchecked));
    }

    private static List<Path> sources(Path root) throws ScanException {
        try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).toString().replace('\\', '/').matches("(^|.*/)\\.terraform/.*"))
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".tf") || n.endsWith(".tf.json") || n.endsWith(".tofu") || n.endsWith(".tofu.json")
                                || (n.endsWith(".hcl") && !n.startsWith("."));
                    })
                    .sorted(Comparator.naturalOrder())
                    .toList();
        } catch (UncheckedIOException e) {
            throw new ScanException(ScanError.IAC_CONVERSION_FAILED, "cannot list " + root + ": " + e.getCause().getMessage(), e);
        } catch (IOException e) {
            throw new ScanException(ScanError.IAC_CONVERSION_FAILED, "cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds each vault_policy resource's policy text that can be read without running Terraform,
     * and names in {@code unchecked} each one that cannot.
     */
    private void inlinePolicies(Path file, String rulePath, JsonNode config, List<Path> roots, ArrayNode files,
            List<String> unchecked) throws ScanException {
        JsonNode policies = config.path("resource").path("vault_policy");
        for (Map.Entry<String, JsonNode> named : policies.properties()) {
            for (JsonNode body : named.getValue()) {
                String text = body.path("policy").asString(null);
                if (text == null) {
                    continue;
                }
                String address = "vault_policy." + named.getKey();
                Matcher m = FILE_FUNCTION.matcher(text.strip());
                JsonNode parsed;
                if (m.matches()) {
                    Path target = file.getParent().resolve(m.group(1)).normalize();
                    if (!Files.isRegularFile(target)) {
                        unchecked.add(address + " in " + file + ": its policy file " + m.group(1) + " is not there to read");
                        continue;
                    }
                    if (roots.stream().anyMatch(target::startsWith)) {
                        continue; // checked as a file of its own
                    }
                    parsed = hcl(target, null);
                } else if (text.contains("${")) {
                    // Computed by Terraform. A data.vault_policy_document is checked on its own; any
                    // other expression (templatefile, a variable, a local) the rules never see.
                    if (!DOCUMENT_REFERENCE.matcher(text.strip()).matches()) {
                        unchecked.add(address + " in " + file + ": its policy text is computed by Terraform");
                    }
                    continue;
                } else {
                    parsed = hcl(file, text);
                }
                ObjectNode e = entry(rulePath, "vault_policy", parsed);
                e.put("resource", address);
                files.add(e);
            }
        }
    }

    private static ObjectNode entry(String path, String kind, JsonNode config) {
        ObjectNode e = MAPPER.createObjectNode();
        e.put("path", path);
        e.put("kind", kind);
        e.set("config", config);
        return e;
    }

    /** Converts {@code file} (or {@code text} read from it, when given) with hcl2json. */
    private JsonNode hcl(Path file, String text) throws ScanException {
        List<String> command = text == null
                ? List.of(hcl2json.toString(), file.toString())
                : List.of(hcl2json.toString());
        byte[] stdin = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        ProcessRunner.Result result = runner.run("hcl2json", command, file.getParent(), Map.of(), stdin, TIMEOUT);
        if (result.exitCode() != 0) {
            String where = text == null ? file.toString() : "the inline policy in " + file;
            throw new ScanException(ScanError.IAC_CONVERSION_FAILED, "cannot parse " + where + ": " + result.lastLine());
        }
        try {
            JsonNode node = MAPPER.readTree(result.stdoutText());
            if (!node.isObject()) {
                throw new ScanException(ScanError.IAC_CONVERSION_FAILED, "hcl2json gave no object for " + file);
            }
            return node;
        } catch (IOException | JacksonException e) {
            throw new ScanException(ScanError.IAC_CONVERSION_FAILED, "hcl2json printed something that is not JSON for " + file, e);
        }
    }

    private static JsonNode readJson(Path file) throws ScanException {
        try {
            JsonNode node = MAPPER.readTree(file.toFile());
            if (!node.isObject()) {
                throw new ScanException(ScanError.IAC_CONVERSION_FAILED, file + " is not a Terraform JSON configuration (no object)");
            }
            return node;
        } catch (JacksonException e) {
            throw new ScanException(ScanError.IAC_CONVERSION_FAILED, file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
