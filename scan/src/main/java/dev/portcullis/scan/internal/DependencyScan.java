package dev.portcullis.scan.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import dev.portcullis.scan.ScanRequest;
import dev.portcullis.scan.ScanTools;
import dev.portcullis.scan.VulnerabilityFinding;
import dev.portcullis.scan.VulnerabilitySource;

/**
 * Runs OWASP Dependency-Check ({@code dependency-check-maven:aggregate}) and the CycloneDX plugin
 * ({@code makeAggregateBom}) on a Maven project in one Maven run, then reads their JSON reports.
 * The scanners run in their own process (Maven), so their class paths never meet ours; the plugin
 * versions are pinned in {@code scan/pom.xml}.
 *
 * <p>Offline sources switch off every analyzer that calls the internet; {@link Result#notes} says
 * which, so that the report never claims coverage it did not have.
 */
public final class DependencyScan {

    /** The default time limit of the Maven run. A cold NVD API download can take this long. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(60);

    /** Analyzers that call a remote service, switched off when the source is offline. */
    static final Map<String, String> ONLINE_ANALYZERS = orderedMap(
            "ossIndexAnalyzerEnabled", "Sonatype OSS Index",
            "centralAnalyzerEnabled", "Maven Central search",
            "nexusAnalyzerEnabled", "Nexus search",
            "artifactoryAnalyzerEnabled", "Artifactory search",
            "retireJsAnalyzerEnabled", "RetireJS repository",
            "nodeAuditAnalyzerEnabled", "npm audit",
            "yarnAuditAnalyzerEnabled", "yarn audit",
            "pnpmAuditAnalyzerEnabled", "pnpm audit",
            "hostedSuppressionsEnabled", "hosted false-positive suppressions",
            "versionCheckEnabled", "Dependency-Check version check");

    /** What the Maven run produced. */
    public record Result(List<VulnerabilityFinding> findings, int sbomComponents, List<String> notes,
            Path dependencyCheckJson, Path dependencyCheckHtml, Path sbom, Path log) {
    }

    private final ScanTools tools;
    private final ProcessRunner runner;
    private final Duration timeout;

    public DependencyScan(ScanTools tools, ProcessRunner runner, Duration timeout) {
        this.tools = Objects.requireNonNull(tools, "tools cannot be null");
        this.runner = Objects.requireNonNull(runner, "runner cannot be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
    }

    /** Scans {@code request}'s project; reports go into {@code outDir}. */
    public Result run(ScanRequest request, Path outDir) throws ScanException {
        Path project = request.projectDir().orElseThrow().toAbsolutePath().normalize();
        ProjectDependencyCheckSettings.refuseHidingSettings(project);
        Path maven = tools.maven(project);
        Path dcDir = outDir.resolve("dependency-check");
        Path sbomDir = outDir.resolve("sbom");
        try {
            Files.createDirectories(dcDir);
            Files.createDirectories(sbomDir);
            Files.createDirectories(request.dataDir());
        } catch (IOException e) {
            throw new ScanException(ScanError.OUTPUT_FAILED, "cannot create " + outDir + " or the data directory: " + e.getMessage(), e);
        }
        List<String> notes = new ArrayList<>();
        List<String> command = command(maven, project, request, dcDir, sbomDir, notes);
        ProcessRunner.Result result = runner.run("maven", command, project, Map.of(), null, timeout);
        String log = readLog(result);
        if (result.exitCode() != 0) {
            MavenFailure.Diagnosis d = MavenFailure.diagnose(log, request.source().describe());
            throw new ScanException(d.error(), d.reason() + " (Maven log: " + result.stdout() + ")");
        }
        Path json = dcDir.resolve("dependency-check-report.json");
        Path html = dcDir.resolve("dependency-check-report.html");
        Path bom = sbomDir.resolve("bom.json");
        for (Path expected : List.of(json, html, bom)) {
            if (!Files.isRegularFile(expected)) {
                throw new ScanException(ScanError.SCANNER_FAILED, "Maven succeeded but wrote no " + expected.getFileName()
                        + "; the scan is incomplete (Maven log: " + result.stdout() + ")");
            }
        }
        List<VulnerabilityFinding> findings = DependencyCheckReport.read(json);
        List<String> ignored = DependencyCheckReport.suppressedByDependencyCheck(json);
        if (!ignored.isEmpty()) {
            notes.add("Dependency-Check suppressions configured in the project were not honoured (accept a finding in the"
                    + " --suppressions file, with owner and expiry): " + String.join(", ", ignored));
        }
        int components = CycloneDxBom.countComponents(bom);
        return new Result(findings, components, notes, json, html, bom, result.stdout());
    }

    /** The Maven command line. It holds no credential: the NVD API key is read from the environment. */
    List<String> command(Path maven, Path project, ScanRequest request, Path dcDir, Path sbomDir, List<String> notes) {
        List<String> c = new ArrayList<>();
        c.add(maven.toString());
        c.add("-B");
        c.add("--no-transfer-progress");
        c.add("-Dstyle.color=never");
        c.add("-f");
        c.add(project.resolve("pom.xml").toString());
        c.add("org.owasp:dependency-check-maven:" + tools.dependencyCheckVersion() + ":aggregate");
        c.add("org.cyclonedx:cyclonedx-maven-plugin:" + tools.cyclonedxVersion() + ":makeAggregateBom");
        // Dependency-Check: reports, data, and never its own pass/fail (the gate decides).
        c.add("-Dformats=JSON,HTML");
        c.add("-Dodc.outputDirectory=" + dcDir);
        c.add("-DdataDirectory=" + request.dataDir().toAbsolutePath());
        c.add("-DfailOnError=true");
        c.add("-DfailBuildOnCVSS=11");
        c.add("-DprettyPrint=true");
        // CycloneDX: one aggregate SBOM in JSON, not attached to the project's artifacts.
        c.add("-DoutputFormat=json");
        c.add("-DoutputName=bom");
        c.add("-DoutputDirectory=" + sbomDir);
        c.add("-DoutputReactorProjects=false");
        c.add("-Dcyclonedx.skipAttach=true");
        switch (request.source()) {
            case VulnerabilitySource.NvdApi api -> {
                c.add("-DnvdApiKeyEnvironmentVariable=" + api.apiKeyEnvironmentVariable());
                // OSS Index needs its own account since 2025; it stays off unless configured in the project.
                c.add("-DossIndexAnalyzerEnabled=false");
                notes.add("Sonatype OSS Index analyzer switched off (it needs its own account)");
            }
            case VulnerabilitySource.Mirror mirror -> {
                c.add("-DnvdDatafeedUrl=" + mirror.feedUrl());
                c.add("-DknownExploitedUrl=" + mirror.knownExploitedUrl());
                offline(c, notes);
            }
            case VulnerabilitySource.CacheOnly cacheOnly -> {
                c.add("-DautoUpdate=false");
                notes.add("no update of the vulnerability data: the cached data directory was used as it was");
                offline(c, notes);
            }
        }
        return c;
    }

    private static void offline(List<String> c, List<String> notes) {
        List<String> off = new ArrayList<>();
        ONLINE_ANALYZERS.forEach((property, name) -> {
            c.add("-D" + property + "=false");
            off.add(name);
        });
        notes.add("offline: analyzers that need the internet were switched off: " + String.join(", ", off));
    }

    private static String readLog(ProcessRunner.Result result) throws ScanException {
        try {
            return Files.readString(result.stdout(), StandardCharsets.UTF_8) + "\n"
                    + Files.readString(result.stderr(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ScanException(ScanError.SCANNER_FAILED, "cannot read the Maven log: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> orderedMap(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
