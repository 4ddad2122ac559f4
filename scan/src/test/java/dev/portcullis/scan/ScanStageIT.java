package dev.portcullis.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The scan stage end to end, with real tools: Maven runs the real Dependency-Check and CycloneDX
 * plugins on fixture projects against a local NVD feed mirror holding the real records of
 * CVE-2021-44228 and its follow-ups (served over HTTP on 127.0.0.1), hcl2json, OPA and Checkov
 * check the Terraform fixtures, OPA evaluates the gate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScanStageIT {

    /** The scan's clock: the suppressions below expire relative to it, never to the wall clock. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** One folder for the whole class: the warm data directory is shared by the scans that use the good mirror. */
    @TempDir
    static Path work;

    private ScanFixtures fixtures;
    private VulnerabilitySource mirror;
    private Path sharedData;
    private final List<AuditEvent> audited = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        fixtures = ScanFixtures.start();
        URI base = fixtures.serve(fixtures.buildMirror(work.resolve("mirror")));
        mirror = new VulnerabilitySource.Mirror(base, base.resolve("known_exploited_vulnerabilities.json"));
        sharedData = work.resolve("dependency-check-data");
    }

    @AfterAll
    void stop() {
        if (fixtures != null) {
            fixtures.close();
        }
    }

    private ScanStage stage() {
        return new ScanStage(fixtures.tools(), CLOCK, audited::add);
    }

    private ScanRequest.Builder log4jScan(String name, String log4jVersion) throws Exception {
        Path project = ScanFixtures.copy("projects/log4j-vulnerable", work.resolve(name + "/project"));
        if (log4jVersion != null) {
            Path pom = project.resolve("pom.xml");
            Files.writeString(pom, Files.readString(pom).replace("<log4j.version>2.14.1</log4j.version>",
                    "<log4j.version>" + log4jVersion + "</log4j.version>"));
        }
        return ScanRequest.builder(work.resolve(name + "/reports")).project(project).source(mirror).dataDir(sharedData);
    }

    private Path suppressions(String name, String expires) throws Exception {
        Path file = work.resolve(name + "-suppressions.json");
        Files.writeString(file, """
                {"suppressions": [
                  {"id": "CVE-2021-44228", "package": "pkg:maven/org.apache.logging.log4j/log4j-core",
                   "reason": "fixture: JNDI lookups unreachable in this service", "owner": "team-payments", "expires": "%1$s"},
                  {"id": "CVE-2021-45046", "package": "pkg:maven/org.apache.logging.log4j/log4j-core",
                   "reason": "fixture: no non-default pattern layouts", "owner": "team-payments", "expires": "%1$s"}
                ]}
                """.formatted(expires));
        return file;
    }

    @Test
    void scanWhenLog4jCore2141ThenGateFailsNamingLog4ShellAndTheFixedVersion() throws Exception {
        ScanReport report = stage().run(log4jScan("vulnerable", null).build(), ScanProgress.NONE);

        assertThat(report.passed()).isFalse();
        assertThat(report.gate().reasons()).contains(
                "CVE-2021-44228 in pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1: CVSS 10 >= 7,"
                        + " listed as known exploited (CISA KEV); fixed in 2.15.0");
        assertThat(report.findings()).extracting(Finding::id)
                .contains("CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832");
        assertThat(report.sbomComponents()).isGreaterThanOrEqualTo(2);
        assertThat(report.notes()).anySatisfy(n -> assertThat(n).startsWith("offline: analyzers that need the internet were switched off"));

        Path reports = work.resolve("vulnerable/reports");
        for (String file : ScanStage.REPORT_FILES.values()) {
            assertThat(reports.resolve(file)).as(file).isNotEmptyFile();
        }
        assertThat(reports.resolve(ScanStage.INCOMPLETE_FILE)).doesNotExist();
        String markdown = Files.readString(reports.resolve("portcullis-scan.md"));
        assertThat(markdown).startsWith("# Portcullis scan: FAILED")
                .contains("[CVE-2021-44228](https://nvd.nist.gov/vuln/detail/CVE-2021-44228)")
                .contains("| 10.0 CRITICAL | **yes** (CISA KEV) | 2.15.0 |")
                .contains("upgrade to **2.16.0** or later to pass the gate; 2.17.1 fixes every known vulnerability found in it");
        JsonNode sarif = MAPPER.readTree(reports.resolve("portcullis-scan.sarif").toFile());
        assertThat(sarif.path("version").asString()).isEqualTo("2.1.0");
        assertThat(sarif.path("runs").get(0).path("results")).anySatisfy(r -> {
            assertThat(r.path("ruleId").asString()).isEqualTo("CVE-2021-44228");
            assertThat(r.path("level").asString()).isEqualTo("error");
        });
        JsonNode bom = MAPPER.readTree(reports.resolve("bom.json").toFile());
        assertThat(bom.path("bomFormat").asString()).isEqualTo("CycloneDX");
        assertThat(bom.path("components").toString()).contains("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        assertThat(Files.readString(reports.resolve("dependency-check-report.html"))).contains("CVE-2021-44228");

        assertThat(audited).last().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.SCAN_COMPLETED);
            assertThat(e.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(e.reason()).isEqualTo("gate_failed");
            assertThat(e.attributes().get("scan_id")).isEqualTo(report.scanId());
            assertThat(e.attributes().get("blocking").toString()).contains("CVE-2021-44228");
            assertThat(e.attributes().get("report_sha256").toString()).hasSize(64);
        });
    }

    @Test
    void scanWhenUpgradedTo2171ThenGatePasses() throws Exception {
        ScanReport report = stage().run(log4jScan("upgraded", "2.17.1").build(), ScanProgress.NONE);

        assertThat(report.passed()).as(String.join("; ", report.gate().reasons())).isTrue();
        assertThat(report.findings()).isEmpty();
        assertThat(Files.readString(work.resolve("upgraded/reports/portcullis-scan.md"))).startsWith("# Portcullis scan: PASSED");
        assertThat(audited).last().satisfies(e -> assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS));
    }

    @Test
    void scanWhenSuppressedUntilAFutureDateThenPassesAndTheReportListsTheSuppression() throws Exception {
        ScanReport report = stage().run(log4jScan("suppressed", null)
                .suppressions(suppressions("future", "2027-01-31")).build(), ScanProgress.NONE);

        assertThat(report.passed()).as(String.join("; ", report.gate().reasons())).isTrue();
        assertThat(report.gate().suppressed()).extracting(s -> s.suppression().id())
                .containsExactlyInAnyOrder("CVE-2021-44228", "CVE-2021-45046");
        String markdown = Files.readString(work.resolve("suppressed/reports/portcullis-scan.md"));
        assertThat(markdown).startsWith("# Portcullis scan: PASSED").contains("## Suppressed (accepted risk)")
                .contains("fixture: JNDI lookups unreachable in this service").contains("team-payments").contains("2027-01-31");
        JsonNode json = MAPPER.readTree(work.resolve("suppressed/reports/portcullis-scan.json").toFile());
        assertThat(json.path("gate").path("suppressed")).hasSize(2);
    }

    @Test
    void scanWhenSuppressionExpiredThenGateFails() throws Exception {
        ScanReport report = stage().run(log4jScan("expired", null)
                .suppressions(suppressions("past", "2026-05-01")).build(), ScanProgress.NONE);

        assertThat(report.passed()).isFalse();
        assertThat(report.gate().expired()).hasSize(2);
        assertThat(report.gate().reasons()).contains(
                "suppression of CVE-2021-44228 (owner team-payments) expired on 2026-05-01: renew it with a reason or fix the finding");
        assertThat(report.gate().blocking().keySet()).anySatisfy(k -> assertThat(k).startsWith("CVE-2021-44228|"));
    }

    @Test
    void scanWhenFeedIsMalformedThenCouldNotRunAndNoCompleteReportIsLeft() throws Exception {
        Path bad = fixtures.buildMirror(work.resolve("bad-mirror"));
        Files.writeString(bad.resolve("nvdcve-2021.json.gz"), "this is not gzip");
        URI base = fixtures.serve(bad);
        Path reports = Files.createDirectories(work.resolve("malformed/reports"));
        Files.writeString(reports.resolve("portcullis-scan.sarif"), "{\"stale\": \"from an earlier run\"}");

        ScanRequest request = log4jScan("malformed", null)
                .source(new VulnerabilitySource.Mirror(base, base.resolve("known_exploited_vulnerabilities.json")))
                .dataDir(work.resolve("malformed/data")).build();
        assertThatThrownBy(() -> stage().run(request, ScanProgress.NONE))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.DATA_SOURCE_MALFORMED))
                .hasMessageContaining("is malformed: ZipException: Not in GZIP format")
                .hasMessageNotContaining("\n");
        assertNoCompleteReport(reports, "DATA_SOURCE_MALFORMED");
        assertThat(audited).last().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(e.reason()).isEqualTo("could_not_run:data_source_malformed");
        });
    }

    @Test
    void scanWhenTheProjectGivesDependencyCheckItsOwnSuppressionsThenCouldNotRunBeforeMavenRuns() throws Exception {
        ScanRequest.Builder builder = log4jScan("own-suppressions", null);
        ScanRequest request = builder.build();
        Path pom = request.projectDir().orElseThrow().resolve("pom.xml");
        // A base rule: Dependency-Check would report nothing of Log4Shell, not even as suppressed.
        Files.writeString(pom, Files.readString(pom).replace("</project>", """
                  <build><plugins><plugin>
                    <groupId>org.owasp</groupId><artifactId>dependency-check-maven</artifactId>
                    <configuration><suppressionFiles><suppressionFile>dc-suppressions.xml</suppressionFile></suppressionFiles></configuration>
                  </plugin></plugins></build>
                </project>"""));

        assertThatThrownBy(() -> stage().run(request, ScanProgress.NONE))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.INVALID_REQUEST))
                .hasMessageContaining("pom.xml (dependency-check-maven <suppressionFiles>)");
        assertNoCompleteReport(request.reportDir(), "INVALID_REQUEST");
        assertThat(request.reportDir().resolve("logs/maven.out")).doesNotExist();
    }

    @Test
    void scanWhenMirrorIsUnreachableThenCouldNotRun() throws Exception {
        URI nowhere = URI.create("http://127.0.0.1:" + ScanFixtures.closedPort() + "/");
        ScanRequest request = log4jScan("unreachable", null)
                .source(new VulnerabilitySource.Mirror(nowhere, nowhere.resolve("known_exploited_vulnerabilities.json")))
                .dataDir(work.resolve("unreachable/data")).build();
        assertThatThrownBy(() -> stage().run(request, ScanProgress.NONE))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.DATA_SOURCE_UNREACHABLE))
                .hasMessageContaining("is unreachable").hasMessageContaining(nowhere.getAuthority());
        assertNoCompleteReport(work.resolve("unreachable/reports"), "DATA_SOURCE_UNREACHABLE");
    }

    @Test
    void scanWhenProjectDoesNotBuildThenCouldNotRun() throws Exception {
        Path project = ScanFixtures.copy("projects/does-not-build", work.resolve("broken/project"));
        ScanRequest request = ScanRequest.builder(work.resolve("broken/reports")).project(project)
                .source(mirror).dataDir(sharedData).build();
        assertThatThrownBy(() -> stage().run(request, ScanProgress.NONE))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.PROJECT_BUILD_FAILED))
                .hasMessageContaining("the project does not build").hasMessageContaining("no-such-artifact");
        assertNoCompleteReport(work.resolve("broken/reports"), "PROJECT_BUILD_FAILED");
    }

    @Test
    void iacWhenExportableKeyAndWildcardPolicyThenGateFailsNamingBoth() throws Exception {
        Path tf = ScanFixtures.copy("terraform/insecure", work.resolve("iac/insecure"));
        ScanReport report = stage().run(ScanRequest.builder(work.resolve("iac/reports")).iacOnly().terraform(tf).build(),
                ScanProgress.NONE);

        assertThat(report.passed()).isFalse();
        String file = tf.resolve("main.tf").toString();
        assertThat(report.findings()).filteredOn(f -> f instanceof IacFinding i && i.tool().equals(IacFinding.TOOL_REGO))
                .extracting(f -> ((IacFinding) f).id() + " " + ((IacFinding) f).file() + " " + ((IacFinding) f).resource())
                .containsExactlyInAnyOrder(
                        "PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE " + file + " vault_transit_secret_backend_key.fields",
                        "PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH " + file + " vault_policy.service path \"secret/*\"");
        assertThat(report.gate().reasons()).anySatisfy(r -> assertThat(r).startsWith("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE in " + file))
                .anySatisfy(r -> assertThat(r).startsWith("PORTCULLIS_TF_VAULT_POLICY_WILDCARD_PATH in " + file));
        assertThat(Files.readString(work.resolve("iac/reports/portcullis-scan.md")))
                .contains("## Blocking IaC findings and how to fix them").contains("set exportable = false");
    }

    @Test
    void iacWhenKeyAndPolicyAreDoneRightThenGatePasses() throws Exception {
        Path tf = ScanFixtures.copy("terraform/clean", work.resolve("iac-clean/clean"));
        ScanReport report = stage().run(ScanRequest.builder(work.resolve("iac-clean/reports")).iacOnly().terraform(tf).build(),
                ScanProgress.NONE);
        assertThat(report.passed()).as(String.join("; ", report.gate().reasons())).isTrue();
        assertThat(report.findings()).isEmpty();
    }

    @Test
    void iacWhenTheAuditEventCannotBeRecordedThenCouldNotRunAndNoCompleteReportIsLeft() throws Exception {
        Path tf = ScanFixtures.copy("terraform/clean", work.resolve("iac-unaudited/clean"));
        Path reports = work.resolve("iac-unaudited/reports");
        ScanStage unaudited = new ScanStage(fixtures.tools(), CLOCK, event -> {
            throw new dev.portcullis.audit.AuditException("the audit log is full");
        });

        assertThatThrownBy(() -> unaudited.run(ScanRequest.builder(reports).iacOnly().terraform(tf).build(), ScanProgress.NONE))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.OUTPUT_FAILED));
        assertNoCompleteReport(reports, "OUTPUT_FAILED");
    }

    private static void assertNoCompleteReport(Path reports, String error) throws Exception {
        for (String file : ScanStage.REPORT_FILES.values()) {
            assertThat(reports.resolve(file)).as(file + " must not be left behind").doesNotExist();
        }
        JsonNode incomplete = MAPPER.readTree(reports.resolve(ScanStage.INCOMPLETE_FILE).toFile());
        assertThat(incomplete.path("status").asString()).isEqualTo("could_not_run");
        assertThat(incomplete.path("error").asString()).isEqualTo(error);
        try (var leftovers = Files.list(reports)) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".partial-"));
        }
    }
}
