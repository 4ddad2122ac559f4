package dev.portcullis.scan.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import dev.portcullis.scan.VulnerabilityFinding;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads Dependency-Check's JSON report (report schema 1.1) into findings. Strict where a wrong
 * reading would hide a vulnerability: a report with analysis exceptions, without a
 * {@code dependencies} array, or with a vulnerability that has no name is refused.
 *
 * <p>A vulnerability that Dependency-Check suppressed ({@code suppressedVulnerabilities}, from a
 * suppression file the scanned project's POM gives the plugin) is read like any other: the
 * stage's suppressions file, with its owner and expiry, is the only way to accept a finding.
 */
public final class DependencyCheckReport {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private DependencyCheckReport() {
    }

    public static List<VulnerabilityFinding> read(Path report) throws ScanException {
        JsonNode root;
        try {
            root = MAPPER.readTree(report.toFile());
        } catch (JacksonException e) {
            throw malformed(report, "not JSON: " + e.getOriginalMessage());
        }
        return read(root, report);
    }

    static List<VulnerabilityFinding> read(JsonNode root, Path report) throws ScanException {
        JsonNode exceptions = root.path("scanInfo").path("analysisExceptions");
        if (exceptions.isArray() && !exceptions.isEmpty()) {
            String first = exceptions.get(0).path("exception").path("message").asString("unknown");
            throw new ScanException(ScanError.SCANNER_FAILED, "Dependency-Check reported " + exceptions.size()
                    + " analysis exception(s), the first: " + first + "; the scan is incomplete");
        }
        JsonNode dependencies = root.path("dependencies");
        if (!dependencies.isArray()) {
            throw malformed(report, "no 'dependencies' array");
        }
        Map<String, VulnerabilityFinding> byKey = new LinkedHashMap<>();
        for (JsonNode dependency : dependencies) {
            String file = dependency.path("fileName").asString("");
            String purl = packageUrl(dependency, file);
            List<JsonNode> vulnerabilities = new ArrayList<>();
            dependency.path("vulnerabilities").forEach(vulnerabilities::add);
            dependency.path("suppressedVulnerabilities").forEach(vulnerabilities::add);
            for (JsonNode v : vulnerabilities) {
                String id = v.path("name").asString("");
                if (id.isBlank()) {
                    throw malformed(report, "a vulnerability of " + file + " has no name");
                }
                Score score = score(v);
                VulnerabilityFinding finding = new VulnerabilityFinding(id, purl, file, score.value, score.vector,
                        score.severity, v.hasNonNull("knownExploitedVulnerability"), fixedVersion(v),
                        v.path("description").asString(""));
                byKey.putIfAbsent(finding.key(), finding);
            }
        }
        return new ArrayList<>(byKey.values());
    }

    /**
     * The vulnerabilities Dependency-Check itself suppressed, as "{@code CVE in file}", for the
     * report's coverage notes: {@link #read} reports them as findings all the same.
     */
    public static List<String> suppressedByDependencyCheck(Path report) throws ScanException {
        JsonNode root;
        try {
            root = MAPPER.readTree(report.toFile());
        } catch (JacksonException e) {
            throw malformed(report, "not JSON: " + e.getOriginalMessage());
        }
        List<String> suppressed = new ArrayList<>();
        for (JsonNode dependency : root.path("dependencies")) {
            for (JsonNode v : dependency.path("suppressedVulnerabilities")) {
                suppressed.add(v.path("name").asString("?") + " in " + dependency.path("fileName").asString("?"));
            }
        }
        return suppressed;
    }

    private static String packageUrl(JsonNode dependency, String file) {
        for (JsonNode p : dependency.path("packages")) {
            String id = p.path("id").asString("");
            if (id.startsWith("pkg:")) {
                return id;
            }
        }
        return file;
    }

    record Score(Double value, String vector, String severity) {
    }

    /** The newest CVSS version present: v4, else v3, else v2 (NVD's own preference order). */
    static Score score(JsonNode v) {
        JsonNode v4 = v.path("cvssv4");
        if (v4.path("baseScore").isNumber()) {
            return new Score(v4.path("baseScore").asDouble(), v4.path("vectorString").asString(null),
                    lower(v4.path("baseSeverity").asString(null)));
        }
        JsonNode v3 = v.path("cvssv3");
        if (v3.path("baseScore").isNumber()) {
            return new Score(v3.path("baseScore").asDouble(), cvss3Vector(v3), lower(v3.path("baseSeverity").asString(null)));
        }
        JsonNode v2 = v.path("cvssv2");
        if (v2.path("score").isNumber()) {
            return new Score(v2.path("score").asDouble(), null, lower(v2.path("severity").asString(null)));
        }
        return new Score(null, null, lower(v.path("severity").asString(null)));
    }

    /** Rebuilds the CVSS v3 vector from the metrics the report spells out (it omits the vector). */
    static String cvss3Vector(JsonNode v3) {
        String version = v3.path("version").asString("3.1");
        StringBuilder b = new StringBuilder("CVSS:").append(version);
        String[][] metrics = {
            {"AV", "attackVector"}, {"AC", "attackComplexity"}, {"PR", "privilegesRequired"},
            {"UI", "userInteraction"}, {"S", "scope"}, {"C", "confidentialityImpact"},
            {"I", "integrityImpact"}, {"A", "availabilityImpact"},
        };
        for (String[] m : metrics) {
            String value = v3.path(m[1]).asString("");
            if (value.isEmpty()) {
                return null;
            }
            // NETWORK -> N, ADJACENT_NETWORK -> A, REQUIRED -> R, CHANGED -> C, ...
            b.append('/').append(m[0]).append(':').append(value.charAt(0));
        }
        return b.toString();
    }

    /**
     * The version that fixes it: the exclusive upper bound of the vulnerable range that matched
     * the dependency. An inclusive bound or no bound means no fix is known.
     */
    static String fixedVersion(JsonNode v) {
        for (JsonNode entry : v.path("vulnerableSoftware")) {
            JsonNode software = entry.path("software");
            if ("true".equals(software.path("vulnerabilityIdMatched").asString(""))) {
                String end = software.path("versionEndExcluding").asString("");
                return end.isBlank() ? null : end;
            }
        }
        return null;
    }

    private static String lower(String s) {
        return s == null || s.isBlank() ? null : s.toLowerCase(Locale.ROOT);
    }

    private static ScanException malformed(Path report, String what) {
        return new ScanException(ScanError.REPORT_MALFORMED, "Dependency-Check report " + report + " is unreadable: " + what);
    }
}
