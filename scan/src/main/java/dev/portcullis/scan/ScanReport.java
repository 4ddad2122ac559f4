package dev.portcullis.scan;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The complete result of a scan that ran to the end: everything found, the gate's verdict, and
 * the reports written. A scan that could not run to the end has no report; it ends in a
 * {@link ScanException} instead.
 *
 * @param scanId a unique id for this run (also in the audit event and every report)
 * @param startedAt when the scan started, by the stage's clock
 * @param finishedAt when the verdict was reached
 * @param project the scanned Maven project's folder, or null for an IaC-only scan
 * @param terraformDirs the scanned Terraform folders
 * @param threshold the gate's threshold
 * @param dataSource the vulnerability data source, described (no credential), or null
 * @param notes what the reader must know about coverage, e.g. the analyzers switched off offline
 * @param findings everything found, blocking or not
 * @param gate the verdict
 * @param sbomComponents the number of components in the CycloneDX SBOM, or -1 when none was made
 * @param tools the scanners and their versions
 * @param artifacts the reports written, by name ({@code sarif}, {@code json}, {@code markdown},
 *     {@code dependency-check-html}, {@code dependency-check-json}, {@code sbom})
 */
public record ScanReport(
        String scanId,
        Instant startedAt,
        Instant finishedAt,
        Path project,
        List<Path> terraformDirs,
        Threshold threshold,
        String dataSource,
        List<String> notes,
        List<Finding> findings,
        GateDecision gate,
        int sbomComponents,
        Map<String, String> tools,
        Map<String, Path> artifacts) {

    public ScanReport {
        Objects.requireNonNull(scanId, "scanId cannot be null");
        Objects.requireNonNull(startedAt, "startedAt cannot be null");
        Objects.requireNonNull(finishedAt, "finishedAt cannot be null");
        Objects.requireNonNull(threshold, "threshold cannot be null");
        Objects.requireNonNull(gate, "gate cannot be null");
        terraformDirs = List.copyOf(terraformDirs);
        notes = List.copyOf(notes);
        findings = List.copyOf(findings);
        tools = Map.copyOf(tools);
        artifacts = Map.copyOf(artifacts);
    }

    public boolean passed() {
        return gate.pass();
    }

    public Optional<Path> projectDir() {
        return Optional.ofNullable(project);
    }

    /** The finding with {@code key}, if any. */
    public Optional<Finding> finding(String key) {
        return findings.stream().filter(f -> f.key().equals(key)).findFirst();
    }

    /** A copy with the written reports recorded. */
    public ScanReport withArtifacts(Map<String, Path> written) {
        return new ScanReport(scanId, startedAt, finishedAt, project, terraformDirs, threshold, dataSource,
                notes, findings, gate, sbomComponents, tools, written);
    }
}
