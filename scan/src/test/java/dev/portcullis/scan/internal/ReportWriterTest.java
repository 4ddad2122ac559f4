package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.portcullis.scan.Finding;
import dev.portcullis.scan.GateDecision;
import dev.portcullis.scan.IacFinding;
import dev.portcullis.scan.ScanReport;
import dev.portcullis.scan.Suppression;
import dev.portcullis.scan.Threshold;
import dev.portcullis.scan.VulnerabilityFinding;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ReportWriterTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static final VulnerabilityFinding LOG4SHELL = new VulnerabilityFinding("CVE-2021-44228",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4j-core-2.14.1.jar", 10.0,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "critical", true, "2.15.0", "Apache Log4j2 JNDI ...");
    private static final VulnerabilityFinding DOS = new VulnerabilityFinding("CVE-2021-45105",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4j-core-2.14.1.jar", 5.9, null, "medium", false,
            "2.17.0", "recursion");
    private static final VulnerabilityFinding KEV_ACCEPTED = new VulnerabilityFinding("CVE-2021-45046",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4j-core-2.14.1.jar", 9.0, null, "critical", true,
            "2.16.0", "incomplete fix");
    private static final IacFinding EXPORTABLE = new IacFinding("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE", IacFinding.TOOL_REGO,
            "terraform/main.tf", "vault_transit_secret_backend_key.fields", "critical", "exportable = true | bad", "set exportable = false");
    private static final Suppression ACCEPTED = new Suppression("CVE-2021-45046", null, null, null,
            "JNDI disabled by configuration", "team-payments", "2027-01-31");

    private static ScanReport report() {
        GateDecision gate = new GateDecision(false, List.of("CVE-2021-44228 ...", "PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE ..."),
                Map.of(LOG4SHELL.key(), List.of("cvss_at_or_above_threshold", "known_exploited"),
                        EXPORTABLE.key(), List.of("iac_rule_violated")),
                List.of(new GateDecision.Suppressed(KEV_ACCEPTED.key(), ACCEPTED)), List.of(), List.of());
        List<Finding> findings = List.of(LOG4SHELL, DOS, KEV_ACCEPTED, EXPORTABLE);
        return new ScanReport("scan-1", Instant.parse("2026-11-23T12:00:00Z"), Instant.parse("2026-11-23T12:00:30Z"),
                Path.of("app"), List.of(Path.of("terraform")), Threshold.HIGH, "mirror", List.of("offline: ..."),
                findings, gate, 2, Map.of("portcullis", "0.1.0"),
                Map.of("sarif", Path.of("r/portcullis-scan.sarif"), "json", Path.of("r/portcullis-scan.json")));
    }

    /** The SARIF 2.1.0 requirements a code-scanning upload checks (sections 3.13, 3.14, 3.19, 3.27, 3.35, 3.49). */
    @Test
    void sarifHasTheShapeSarif210Requires() throws Exception {
        JsonNode sarif = MAPPER.readTree(new ReportWriter("0.1.0").sarif(report()));
        assertThat(sarif.path("version").asString()).isEqualTo("2.1.0");
        assertThat(sarif.path("$schema").asString()).isEqualTo(ReportWriter.SARIF_SCHEMA);
        assertThat(sarif.path("runs").isArray()).isTrue();
        assertThat(sarif.path("runs")).hasSize(1);
        JsonNode run = sarif.path("runs").get(0);
        JsonNode driver = run.path("tool").path("driver");
        assertThat(driver.path("name").asString()).isEqualTo("portcullis-scan");
        JsonNode rules = driver.path("rules");
        Set<String> ruleIds = new HashSet<>();
        for (JsonNode rule : rules) {
            assertThat(ruleIds.add(rule.path("id").asString())).as("rule ids are unique").isTrue();
            assertThat(rule.path("shortDescription").path("text").isString()).isTrue();
        }
        JsonNode results = run.path("results");
        assertThat(results).hasSize(4);
        for (JsonNode r : results) {
            int index = r.path("ruleIndex").asInt();
            assertThat(rules.get(index).path("id").asString()).isEqualTo(r.path("ruleId").asString());
            assertThat(r.path("level").asString()).isIn("none", "note", "warning", "error");
            assertThat(r.path("message").path("text").asString()).isNotBlank();
            assertThat(r.path("locations").get(0).path("physicalLocation").path("artifactLocation").path("uri").asString()).isNotBlank();
            assertThat(r.path("partialFingerprints").path("portcullisFindingKey/v1").isString()).isTrue();
            for (JsonNode s : r.path("suppressions")) {
                assertThat(s.path("kind").asString()).isIn("inSource", "external");
                assertThat(s.path("status").asString()).isIn("accepted", "underReview", "rejected");
            }
        }
        assertThat(run.path("invocations").get(0).path("executionSuccessful").asBoolean()).isTrue();
    }

    @Test
    void sarifMarksBlockingAsErrorsWithSecuritySeverityAndTheSuppressionAsAccepted() throws Exception {
        JsonNode run = MAPPER.readTree(new ReportWriter("0.1.0").sarif(report())).path("runs").get(0);
        JsonNode log4shell = find(run.path("results"), "CVE-2021-44228");
        assertThat(log4shell.path("level").asString()).isEqualTo("error");
        assertThat(log4shell.path("message").path("text").asString())
                .contains("CVSS 10.0 CRITICAL").contains("known exploited").contains("Upgrade org.apache.logging.log4j/log4j-core to 2.15.0");
        assertThat(find(run.path("results"), "CVE-2021-45105").path("level").asString()).isEqualTo("warning");
        JsonNode accepted = find(run.path("results"), "CVE-2021-45046");
        assertThat(accepted.path("suppressions").get(0).path("justification").asString())
                .isEqualTo("JNDI disabled by configuration (owner team-payments, expires 2027-01-31)");
        JsonNode rule = run.path("tool").path("driver").path("rules").get(log4shell.path("ruleIndex").asInt());
        assertThat(rule.path("properties").path("security-severity").asString()).isEqualTo("10.0");
        assertThat(rule.path("helpUri").asString()).isEqualTo("https://nvd.nist.gov/vuln/detail/CVE-2021-44228");
        assertThat(find(run.path("results"), "PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE").path("locations").get(0)
                .path("physicalLocation").path("artifactLocation").path("uri").asString()).isEqualTo("terraform/main.tf");
    }

    @Test
    void markdownSaysWhatFailedWhyAndWhichVersionFixesIt() {
        String md = new ReportWriter("0.1.0").markdown(report());
        assertThat(md).startsWith("# Portcullis scan: FAILED");
        assertThat(md).contains("## Why it failed").contains("- CVE-2021-44228 ...");
        assertThat(md).contains("| [CVE-2021-44228](https://nvd.nist.gov/vuln/detail/CVE-2021-44228) | `pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1` | 10.0 CRITICAL | **yes** (CISA KEV) | 2.15.0 |");
        assertThat(md).contains("upgrade to **2.15.0** or later to pass the gate; 2.17.0 fixes every known vulnerability found in it");
        assertThat(md).contains("## Suppressed (accepted risk)").contains("team-payments").contains("2027-01-31");
        assertThat(md).as("a pipe in a message stays inside its table cell").contains("exportable = true \\| bad");
        assertThat(md).contains("CVE-2021-45105 in `pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1`, CVSS 5.9 MEDIUM; fixed in 2.17.0");
    }

    @Test
    void jsonCarriesStatusFindingsAndTheGate() throws Exception {
        JsonNode json = MAPPER.readTree(new ReportWriter("0.1.0").json(report()));
        assertThat(json.path("schema").asString()).isEqualTo("portcullis.scan/v1");
        assertThat(json.path("status").asString()).isEqualTo("fail");
        assertThat(json.path("findings")).hasSize(4);
        JsonNode first = json.path("findings").get(0);
        assertThat(first.path("blocking").asBoolean()).isTrue();
        assertThat(first.path("causes")).hasSize(2);
        assertThat(json.path("gate").path("suppressed").get(0).path("suppression").path("owner").asString()).isEqualTo("team-payments");
    }

    private static JsonNode find(JsonNode results, String ruleId) {
        for (JsonNode r : results) {
            if (r.path("ruleId").asString().equals(ruleId)) {
                return r;
            }
        }
        throw new AssertionError("no result for " + ruleId);
    }
}
