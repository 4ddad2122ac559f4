package dev.portcullis.scan.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.scan.Finding;
import dev.portcullis.scan.GateDecision;
import dev.portcullis.scan.IacFinding;
import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import dev.portcullis.scan.Suppression;
import dev.portcullis.scan.Threshold;
import dev.portcullis.scan.VulnerabilityFinding;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Java side of the gate: its input document and the strict reading of its answer. */
class GateTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void inputWhenFindingsThenCarriesTheFieldsTheRegoReads() {
        List<Finding> findings = List.of(
                new VulnerabilityFinding("CVE-2021-44228", "pkg:maven/g/a@1", "a-1.jar", 10.0, null, "critical", true, "2.15.0", "d"),
                new VulnerabilityFinding("CVE-2000-1", "pkg:maven/g/b@1", "b-1.jar", null, null, null, false, null, ""),
                new IacFinding("PORTCULLIS_TF_X", IacFinding.TOOL_REGO, "t/main.tf", "r.x", "high", "m", "f"));
        JsonNode input = Gate.input(Instant.parse("2026-11-23T12:00:00Z"), Threshold.HIGH, findings,
                List.of(new Suppression("CVE-2021-44228", null, null, null, "r", "o", "2027-01-01")));
        assertThat(input.path("now").asString()).isEqualTo("2026-11-23T12:00:00Z");
        assertThat(input.path("threshold").path("cvss").asDouble()).isEqualTo(7.0);
        JsonNode v = input.path("findings").get(0);
        assertThat(v.path("kind").asString()).isEqualTo("vulnerability");
        assertThat(v.path("package").asString()).isEqualTo("pkg:maven/g/a@1");
        assertThat(v.path("known_exploited").asBoolean()).isTrue();
        assertThat(v.path("fixed_version").asString()).isEqualTo("2.15.0");
        assertThat(input.path("findings").get(1).path("cvss").isNull()).isTrue();
        assertThat(input.path("findings").get(2).path("resource").asString()).isEqualTo("r.x");
        JsonNode s = input.path("suppressions").get(0);
        assertThat(s.has("package")).as("absent narrowing fields stay absent").isFalse();
        assertThat(s.path("expires").asString()).isEqualTo("2027-01-01");
    }

    @Test
    void parseWhenWellFormedThenDecision() throws Exception {
        GateDecision d = Gate.parse(MAPPER.readTree("""
                {"pass": false, "reasons": ["r1"], "blocking": [{"key": "k", "finding": {}, "causes": ["known_exploited"]}],
                 "suppressed": [{"key": "k2", "finding": {}, "suppression": {"id": "CVE-1", "reason": "r", "owner": "o", "expires": "2027-01-01"}}],
                 "expired_suppressions": [], "invalid_suppressions": [{"key": "x#0", "suppression": {"id": "x"}, "problems": ["no owner"]}]}
                """));
        assertThat(d.pass()).isFalse();
        assertThat(d.blocking()).containsEntry("k", List.of("known_exploited"));
        assertThat(d.suppressed()).singleElement().satisfies(s -> assertThat(s.suppression().owner()).isEqualTo("o"));
        assertThat(d.invalid()).singleElement().satisfies(i -> assertThat(i.problems()).containsExactly("no owner"));
    }

    @Test
    void parseWhenIllShapedThenRefusedNeverAPass() throws Exception {
        assertThatThrownBy(() -> Gate.parse(MAPPER.readTree("{\"pass\": \"yes\"}"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Gate.parse(MAPPER.readTree("{\"pass\": true, \"reasons\": {}}"))).isInstanceOf(IllegalArgumentException.class);
        // A "pass" that still carries a blocking finding is a contradiction, not a pass.
        assertThatThrownBy(() -> Gate.parse(MAPPER.readTree("""
                {"pass": true, "reasons": [], "blocking": [{"key": "k", "causes": []}], "suppressed": [],
                 "expired_suppressions": [], "invalid_suppressions": []}
                """))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readSuppressionsWhenValidThenAllFieldsIncludingMissingOnes() throws Exception {
        Path f = dir.resolve("s.json");
        Files.writeString(f, """
                {"suppressions": [
                  {"id": "CVE-2021-44228", "package": "pkg:maven/org.apache.logging.log4j/log4j-core", "reason": "r", "owner": "o", "expires": "2027-01-31"},
                  {"id": "CVE-2021-45046", "reason": "r"}
                ]}
                """);
        List<Suppression> s = Gate.readSuppressions(f);
        assertThat(s).hasSize(2);
        assertThat(s.get(0).packageUrl()).isEqualTo("pkg:maven/org.apache.logging.log4j/log4j-core");
        assertThat(s.get(1).owner()).as("left for the gate to report").isNull();
    }

    @Test
    void readSuppressionsWhenUnknownMemberOrBadJsonThenMalformed() throws Exception {
        Path f = dir.resolve("s.json");
        Files.writeString(f, "{\"suppressions\": [{\"id\": \"CVE-1\", \"expiry\": \"2027-01-01\"}]}");
        assertThatThrownBy(() -> Gate.readSuppressions(f))
                .isInstanceOfSatisfying(ScanException.class, e -> assertThat(e.error()).isEqualTo(ScanError.SUPPRESSIONS_MALFORMED))
                .hasMessageContaining("unknown member 'expiry'");
        Files.writeString(f, "{\"suppressions\": [{\"id\": 7}]}");
        assertThatThrownBy(() -> Gate.readSuppressions(f)).hasMessageContaining("'id' must be a string");
        Files.writeString(f, "[]");
        assertThatThrownBy(() -> Gate.readSuppressions(f)).hasMessageContaining("'suppressions' array");
        Files.writeString(f, "{\"suppressions\": [");
        assertThatThrownBy(() -> Gate.readSuppressions(f)).hasMessageContaining("not valid JSON");
    }
}
