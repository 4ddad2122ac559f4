package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import dev.portcullis.scan.VulnerabilityFinding;

/** Reads a real Dependency-Check 13.0.0 report of log4j-core 2.14.1 against the fixture NVD mirror. */
class DependencyCheckReportTest {

    @TempDir
    Path dir;

    private static Path report() throws URISyntaxException {
        return Path.of(DependencyCheckReportTest.class.getResource("dependency-check-report-log4j-2.14.1.json").toURI());
    }

    @Test
    void readWhenLog4jCoreThenEveryCveWithScoreKevAndFixedVersion() throws Exception {
        Map<String, VulnerabilityFinding> byId = DependencyCheckReport.read(report()).stream()
                .collect(Collectors.toMap(VulnerabilityFinding::id, Function.identity()));
        assertThat(byId).containsOnlyKeys("CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832");
        VulnerabilityFinding log4shell = byId.get("CVE-2021-44228");
        assertThat(log4shell.packageUrl()).isEqualTo("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        assertThat(log4shell.file()).isEqualTo("log4j-core-2.14.1.jar");
        assertThat(log4shell.cvss()).isEqualTo(10.0);
        assertThat(log4shell.cvssVector()).isEqualTo("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
        assertThat(log4shell.severity()).isEqualTo("critical");
        assertThat(log4shell.knownExploited()).isTrue();
        assertThat(log4shell.fixedVersion()).isEqualTo("2.15.0");
        assertThat(byId.get("CVE-2021-45046").fixedVersion()).isEqualTo("2.16.0");
        assertThat(byId.get("CVE-2021-45105").knownExploited()).isFalse();
        assertThat(byId.get("CVE-2021-45105").fixedVersion()).isEqualTo("2.17.0");
        assertThat(byId.get("CVE-2021-44832").cvss()).isEqualTo(6.6);
        assertThat(byId.get("CVE-2021-44832").fixedVersion()).isEqualTo("2.17.1");
    }

    /**
     * The same scan, from a project whose POM gives Dependency-Check its own suppression file for
     * CVE-2021-44228 and CVE-2021-45046 (no owner, no expiry): Dependency-Check moves them to
     * {@code suppressedVulnerabilities}. Only the stage's suppressions file may accept a finding.
     */
    @Test
    void readWhenTheProjectSuppressesInDependencyCheckThenTheFindingsStay() throws Exception {
        Path report = Path.of(DependencyCheckReportTest.class.getResource(
                "dependency-check-report-log4j-2.14.1-project-suppressed.json").toURI());
        Map<String, VulnerabilityFinding> byId = DependencyCheckReport.read(report).stream()
                .collect(Collectors.toMap(VulnerabilityFinding::id, Function.identity()));
        assertThat(byId).containsOnlyKeys("CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832");
        assertThat(byId.get("CVE-2021-44228").cvss()).isEqualTo(10.0);
        // Dependency-Check leaves the KEV mark off a vulnerability it suppressed; the score still blocks.
        assertThat(DependencyCheckReport.suppressedByDependencyCheck(report))
                .containsExactly("CVE-2021-44228 in log4j-core-2.14.1.jar", "CVE-2021-45046 in log4j-core-2.14.1.jar");
        assertThat(DependencyCheckReport.suppressedByDependencyCheck(report())).isEmpty();
    }

    @Test
    void readWhenAnalysisExceptionsThenIncompleteScanIsRefused() throws Exception {
        Path p = dir.resolve("r.json");
        Files.writeString(p, "{\"scanInfo\":{\"analysisExceptions\":[{\"exception\":{\"message\":\"boom\"}}]},\"dependencies\":[]}");
        assertThatThrownBy(() -> DependencyCheckReport.read(p))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.SCANNER_FAILED))
                .hasMessageContaining("boom").hasMessageContaining("incomplete");
    }

    @Test
    void readWhenNotAReportThenReportMalformed() throws Exception {
        Path p = dir.resolve("r.json");
        Files.writeString(p, "{\"scanInfo\":{}}");
        assertThatThrownBy(() -> DependencyCheckReport.read(p))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.REPORT_MALFORMED));
        Files.writeString(p, "{\"dependencies\":[{\"fileName\":\"a.jar\",\"vulnerabilities\":[{\"description\":\"x\"}]}]}");
        assertThatThrownBy(() -> DependencyCheckReport.read(p)).hasMessageContaining("has no name");
        Files.writeString(p, "not json");
        assertThatThrownBy(() -> DependencyCheckReport.read(p)).hasMessageContaining("not JSON");
    }

    @Test
    void readWhenUnscoredAndInclusiveRangeThenNoScoreAndNoFix() throws Exception {
        Path p = dir.resolve("r.json");
        Files.writeString(p, """
                {"dependencies":[{"fileName":"a-1.0.jar","vulnerabilities":[{"name":"CVE-2099-0001",
                 "vulnerableSoftware":[{"software":{"id":"cpe:2.3:a:x:a:*","vulnerabilityIdMatched":"true","versionEndIncluding":"1.0"}}]}]}]}
                """);
        List<VulnerabilityFinding> findings = DependencyCheckReport.read(p);
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.cvss()).isNull();
            assertThat(f.fixedVersion()).isNull();
            assertThat(f.packageUrl()).isEqualTo("a-1.0.jar");
        });
    }
}
