package dev.portcullis.scan.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import dev.portcullis.scan.IacFinding;
import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs Checkov's Terraform checks on a folder and reads its JSON. Checkov runs with
 * {@code --skip-download} (no calls to Prisma Cloud: no remote policies, severities or guideline
 * links, which open-source Checkov does not have anyway) and {@code --soft-fail} (the gate, not
 * Checkov, decides). A file Checkov could not parse makes the scan incomplete: exit 2.
 *
 * <p>Only the stage's suppressions file accepts a finding. A check skipped by a
 * {@code checkov:skip} comment in the code is reported as a finding all the same, and a folder
 * with a Checkov configuration file ({@code .checkov.yaml}, {@code .checkov.yml}, which Checkov
 * reads from the folder it scans and which can switch checks off) is refused.
 */
public final class CheckovScan {

    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    /** The configuration files Checkov reads from the folder it scans. */
    private static final List<String> CONFIG_FILES = List.of(".checkov.yaml", ".checkov.yml");

    private final ProcessRunner runner;
    private final Path checkov;

    public CheckovScan(ProcessRunner runner, Path checkov) {
        this.runner = Objects.requireNonNull(runner, "runner cannot be null");
        this.checkov = Objects.requireNonNull(checkov, "checkov cannot be null");
    }

    /** Scans {@code dir}; finding paths are given as {@code dir} was (e.g. {@code terraform/main.tf}). */
    public List<IacFinding> scan(Path dir, int index) throws ScanException {
        for (String name : CONFIG_FILES) {
            if (Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                throw new ScanException(ScanError.IAC_SCAN_FAILED, "Checkov would read its configuration from "
                        + dir.resolve(name) + ", which can switch checks off outside the suppressions file; remove it"
                        + " and accept findings in --suppressions");
            }
        }
        // Not --quiet: it leaves the checks skipped by a comment in the code out of the report.
        List<String> command = List.of(checkov.toString(), "--directory", dir.toAbsolutePath().toString(),
                "--framework", "terraform", "--output", "json", "--compact",
                "--skip-download", "--soft-fail");
        // No telemetry, no update check: the runner may be air-gapped.
        Map<String, String> env = Map.of("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false", "BC_SKIP_MAPPING", "TRUE");
        ProcessRunner.Result result = runner.run("checkov-" + index, command, dir.toAbsolutePath(), env, null, TIMEOUT);
        if (result.exitCode() != 0) {
            throw new ScanException(ScanError.IAC_SCAN_FAILED, "Checkov failed on " + dir + ": " + result.lastLine());
        }
        try {
            return read(MAPPER.readTree(result.stdoutText()), dir);
        } catch (IOException | JacksonException e) {
            throw new ScanException(ScanError.IAC_SCAN_FAILED, "Checkov printed something that is not JSON for " + dir, e);
        }
    }

    /** Reads Checkov's report: an object for one framework (a list when several ran). */
    static List<IacFinding> read(JsonNode root, Path dir) throws ScanException {
        List<IacFinding> findings = new ArrayList<>();
        List<JsonNode> reports = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(reports::add);
        } else if (root.isObject()) {
            reports.add(root);
        } else {
            throw new ScanException(ScanError.IAC_SCAN_FAILED, "Checkov's report for " + dir + " is neither an object nor a list");
        }
        for (JsonNode report : reports) {
            // With nothing to check Checkov prints only its summary counters.
            JsonNode summary = report.has("summary") ? report.path("summary") : report;
            int parsingErrors = summary.path("parsing_errors").asInt(0);
            if (parsingErrors > 0) {
                throw new ScanException(ScanError.IAC_SCAN_FAILED, "Checkov could not parse " + parsingErrors
                        + " file(s) in " + dir + "; the IaC scan is incomplete");
            }
            for (JsonNode check : report.path("results").path("failed_checks")) {
                findings.add(finding(check, dir, null));
            }
            int skipped = 0;
            for (JsonNode check : report.path("results").path("skipped_checks")) {
                String comment = check.path("check_result").path("suppress_comment").asString("");
                findings.add(finding(check, dir, comment));
                skipped++;
            }
            if (summary.path("skipped").asInt(0) > skipped) {
                throw new ScanException(ScanError.IAC_SCAN_FAILED, "Checkov skipped " + summary.path("skipped").asInt(0)
                        + " check(s) in " + dir + " but listed " + skipped + "; the IaC scan is incomplete");
            }
        }
        return findings;
    }

    /** A failed check, or a check skipped by a comment in the code ({@code skipComment} not null). */
    private static IacFinding finding(JsonNode check, Path dir, String skipComment) throws ScanException {
        String id = check.path("check_id").asString("");
        if (id.isBlank()) {
            throw new ScanException(ScanError.IAC_SCAN_FAILED, "Checkov reported a check without an id in " + dir);
        }
        String file = check.path("file_path").asString("").replaceFirst("^/", "");
        String severity = check.path("severity").isString()
                ? check.path("severity").asString().toLowerCase(Locale.ROOT) : null;
        String guideline = check.path("guideline").asString("");
        String message = check.path("check_name").asString(id);
        if (skipComment != null) {
            message += " (skipped in the code by a checkov:skip comment"
                    + (skipComment.isBlank() ? "" : ": \"" + skipComment + "\"")
                    + "; only the suppressions file, with owner and expiry, accepts a finding)";
        }
        return new IacFinding(id, IacFinding.TOOL_CHECKOV, dir.resolve(file).normalize().toString().replace('\\', '/'),
                check.path("resource").asString("?"), severity, message, guideline);
    }
}
