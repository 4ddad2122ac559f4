package dev.portcullis.scan.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.portcullis.scan.Finding;
import dev.portcullis.scan.GateDecision;
import dev.portcullis.scan.IacFinding;
import dev.portcullis.scan.ScanReport;
import dev.portcullis.scan.Suppression;
import dev.portcullis.scan.VulnerabilityFinding;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a {@link ScanReport} as SARIF 2.1.0 (for code-scanning UIs), as our JSON report, and as
 * a Markdown summary for people (what failed, why, and how to fix it).
 *
 * @see <a href="https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html">SARIF 2.1.0</a>
 */
public final class ReportWriter {

    /** The SARIF schema the output follows. */
    public static final String SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    /** Our JSON report's schema id; bump on an incompatible change. */
    public static final String JSON_SCHEMA = "portcullis.scan/v1";

    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final String version;

    /** @param version the Portcullis version, named as the SARIF tool's version */
    public ReportWriter(String version) {
        this.version = Objects.requireNonNull(version, "version cannot be null");
    }

    // --- SARIF ------------------------------------------------------------------------------------

    public String sarif(ScanReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("$schema", SARIF_SCHEMA);
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "portcullis-scan");
        driver.put("version", version);
        driver.put("informationUri", "https://github.com/portcullis/portcullis/blob/main/docs/scan-stage.md");
        ArrayNode rules = driver.putArray("rules");
        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        ArrayNode results = run.putArray("results");
        GateDecision gate = report.gate();
        Map<String, Suppression> suppressedBy = gate.suppressed().stream()
                .collect(Collectors.toMap(GateDecision.Suppressed::findingKey, GateDecision.Suppressed::suppression, (a, b) -> a));
        for (Finding f : report.findings()) {
            Integer index = ruleIndex.get(f.id());
            if (index == null) {
                index = rules.size();
                ruleIndex.put(f.id(), index);
                rules.add(rule(f));
            }
            ObjectNode r = results.addObject();
            r.put("ruleId", f.id());
            r.put("ruleIndex", index);
            boolean blocking = gate.blocking().containsKey(f.key());
            Suppression suppression = suppressedBy.get(f.key());
            r.put("level", blocking || suppression != null ? "error" : level(f));
            r.putObject("message").put("text", message(f, gate));
            ObjectNode location = r.putArray("locations").addObject();
            location.putObject("physicalLocation").putObject("artifactLocation").put("uri", uri(f, report));
            location.putArray("logicalLocations").addObject().put("fullyQualifiedName", logicalName(f));
            r.putObject("partialFingerprints").put("portcullisFindingKey/v1", f.key());
            ObjectNode props = r.putObject("properties");
            props.put("blocking", blocking);
            if (blocking) {
                ArrayNode causes = props.putArray("causes");
                gate.blocking().get(f.key()).forEach(causes::add);
            }
            if (suppression != null) {
                ObjectNode s = r.putArray("suppressions").addObject();
                s.put("kind", "external");
                s.put("status", "accepted");
                s.put("justification", suppression.reason() + " (owner " + suppression.owner() + ", expires " + suppression.expires() + ")");
            }
        }
        ObjectNode invocation = run.putArray("invocations").addObject();
        invocation.put("executionSuccessful", true);
        invocation.put("startTimeUtc", report.startedAt().toString());
        invocation.put("endTimeUtc", report.finishedAt().toString());
        ObjectNode runProps = run.putObject("properties");
        runProps.put("scanId", report.scanId());
        runProps.put("gatePassed", gate.pass());
        ArrayNode reasons = runProps.putArray("gateReasons");
        gate.reasons().forEach(reasons::add);
        return MAPPER.writeValueAsString(root);
    }

    private ObjectNode rule(Finding f) {
        ObjectNode rule = MAPPER.createObjectNode();
        rule.put("id", f.id());
        ObjectNode props;
        switch (f) {
            case VulnerabilityFinding v -> {
                rule.putObject("shortDescription").put("text", v.id() + " in " + v.packageName());
                rule.putObject("fullDescription").put("text", v.description().isBlank() ? v.id() : v.description());
                if (v.id().startsWith("CVE-")) {
                    rule.put("helpUri", "https://nvd.nist.gov/vuln/detail/" + v.id());
                }
                rule.putObject("help").put("text", fixAdvice(v));
                props = rule.putObject("properties");
                if (v.cvss() != null) {
                    // GitHub code scanning reads this to show the severity of a security result.
                    props.put("security-severity", String.format(Locale.ROOT, "%.1f", v.cvss()));
                }
                props.putArray("tags").add("security").add("vulnerability").add("dependency");
            }
            case IacFinding i -> {
                rule.putObject("shortDescription").put("text", i.tool().equals(IacFinding.TOOL_CHECKOV) ? "Checkov " + i.id() : i.id());
                rule.putObject("fullDescription").put("text", i.message());
                rule.putObject("help").put("text", i.fix().isBlank() ? "see the rule's documentation" : i.fix());
                props = rule.putObject("properties");
                String score = securitySeverity(i.severity());
                if (score != null) {
                    props.put("security-severity", score);
                }
                props.putArray("tags").add("security").add("iac").add(i.tool());
            }
        }
        return rule;
    }

    private static String securitySeverity(String severity) {
        if (severity == null) {
            return null;
        }
        return switch (severity) {
            case "critical" -> "9.5";
            case "high" -> "8.0";
            case "medium" -> "5.5";
            case "low" -> "2.0";
            default -> null;
        };
    }

    private static String level(Finding f) {
        if (f instanceof VulnerabilityFinding v && v.cvss() != null) {
            return v.cvss() >= 4.0 ? "warning" : "note";
        }
        return "warning";
    }

    private static String uri(Finding f, ScanReport report) {
        return switch (f) {
            case VulnerabilityFinding v -> "pom.xml";
            case IacFinding i -> i.file();
        };
    }

    private static String logicalName(Finding f) {
        return switch (f) {
            case VulnerabilityFinding v -> v.packageUrl();
            case IacFinding i -> i.resource();
        };
    }

    private static String message(Finding f, GateDecision gate) {
        return switch (f) {
            case VulnerabilityFinding v -> v.id() + " in " + v.packageUrl() + score(v)
                    + (v.knownExploited() ? ", known exploited (CISA KEV)" : "") + ". " + fixAdvice(v);
            case IacFinding i -> i.message() + " (" + i.resource() + ")" + (i.fix().isBlank() ? "" : ". Fix: " + i.fix());
        };
    }

    private static String score(VulnerabilityFinding v) {
        if (v.cvss() == null) {
            return ", no CVSS score";
        }
        return String.format(Locale.ROOT, ", CVSS %.1f%s", v.cvss(), v.severity() == null ? "" : " " + v.severity().toUpperCase(Locale.ROOT));
    }

    static String fixAdvice(VulnerabilityFinding v) {
        String artifact = v.packageName().replaceFirst("^pkg:[a-z]+/", "");
        return v.fixedVersion() == null
                ? "No fixed version is known: replace or remove " + artifact + ", or suppress with a reason and an expiry."
                : "Upgrade " + artifact + " to " + v.fixedVersion() + " or later.";
    }

    // --- JSON -------------------------------------------------------------------------------------

    public String json(ScanReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", JSON_SCHEMA);
        root.put("scan_id", report.scanId());
        root.put("status", report.passed() ? "pass" : "fail");
        root.put("started_at", report.startedAt().toString());
        root.put("finished_at", report.finishedAt().toString());
        root.put("project", report.projectDir().map(Object::toString).orElse(null));
        ArrayNode tf = root.putArray("terraform");
        report.terraformDirs().forEach(d -> tf.add(d.toString()));
        ObjectNode threshold = root.putObject("threshold");
        threshold.put("cvss", report.threshold().cvss());
        threshold.put("label", report.threshold().label());
        root.put("data_source", report.dataSource());
        ArrayNode notes = root.putArray("notes");
        report.notes().forEach(notes::add);
        ObjectNode tools = root.putObject("tools");
        new TreeMap<>(report.tools()).forEach(tools::put);
        root.put("sbom_components", report.sbomComponents());
        GateDecision gate = report.gate();
        ObjectNode g = root.putObject("gate");
        g.put("pass", gate.pass());
        ArrayNode reasons = g.putArray("reasons");
        gate.reasons().forEach(reasons::add);
        ArrayNode suppressed = g.putArray("suppressed");
        for (GateDecision.Suppressed s : gate.suppressed()) {
            ObjectNode o = suppressed.addObject();
            o.put("finding", s.findingKey());
            o.set("suppression", Gate.toJson(s.suppression()));
        }
        ArrayNode expired = g.putArray("expired_suppressions");
        gate.expired().forEach(s -> expired.add(Gate.toJson(s)));
        ArrayNode invalid = g.putArray("invalid_suppressions");
        for (GateDecision.Invalid i : gate.invalid()) {
            ObjectNode o = invalid.addObject();
            o.set("suppression", Gate.toJson(i.suppression()));
            ArrayNode problems = o.putArray("problems");
            i.problems().forEach(problems::add);
        }
        ArrayNode findings = root.putArray("findings");
        for (Finding f : report.findings()) {
            ObjectNode o = findings.addObject();
            o.put("key", f.key());
            switch (f) {
                case VulnerabilityFinding v -> {
                    o.put("kind", "vulnerability");
                    o.put("id", v.id());
                    o.put("package", v.packageUrl());
                    o.put("file", v.file());
                    if (v.cvss() == null) {
                        o.putNull("cvss");
                    } else {
                        o.put("cvss", v.cvss());
                    }
                    o.put("cvss_vector", v.cvssVector());
                    o.put("severity", v.severity());
                    o.put("known_exploited", v.knownExploited());
                    o.put("fixed_version", v.fixedVersion());
                    o.put("description", v.description());
                }
                case IacFinding i -> {
                    o.put("kind", "iac");
                    o.put("id", i.id());
                    o.put("tool", i.tool());
                    o.put("file", i.file());
                    o.put("resource", i.resource());
                    o.put("severity", i.severity());
                    o.put("message", i.message());
                    o.put("fix", i.fix());
                }
            }
            o.put("blocking", gate.blocking().containsKey(f.key()));
            ArrayNode causes = o.putArray("causes");
            gate.blocking().getOrDefault(f.key(), List.of()).forEach(causes::add);
            o.put("suppressed", gate.suppressed().stream().anyMatch(s -> s.findingKey().equals(f.key())));
        }
        ObjectNode artifacts = root.putObject("artifacts");
        new TreeMap<>(report.artifacts()).forEach((k, p) -> artifacts.put(k, p.getFileName().toString()));
        return MAPPER.writeValueAsString(root);
    }

    // --- Markdown ---------------------------------------------------------------------------------

    public String markdown(ScanReport report) {
        GateDecision gate = report.gate();
        StringBuilder md = new StringBuilder();
        md.append("# Portcullis scan: ").append(gate.pass() ? "PASSED" : "FAILED").append("\n\n");
        report.projectDir().ifPresent(p -> md.append("- Project: `").append(p).append("`\n"));
        for (var dir : report.terraformDirs()) {
            md.append("- Terraform: `").append(dir).append("`\n");
        }
        md.append(String.format(Locale.ROOT, "- Gate: fails on CVSS >= %.1f (%s), on any known-exploited vulnerability and on any IaC rule violation%n",
                report.threshold().cvss(), report.threshold().label()));
        if (report.dataSource() != null) {
            md.append("- Vulnerability data: ").append(report.dataSource()).append('\n');
        }
        md.append("- Scan id: `").append(report.scanId()).append("`, finished ").append(report.finishedAt()).append('\n');
        md.append("- Found: ").append(count(report, VulnerabilityFinding.class)).append(" vulnerabilities, ")
                .append(count(report, IacFinding.class)).append(" IaC findings");
        if (report.sbomComponents() >= 0) {
            md.append(", SBOM of ").append(report.sbomComponents()).append(" components");
        }
        md.append("\n\n");

        if (!gate.pass()) {
            md.append("## Why it failed\n\n");
            gate.reasons().forEach(r -> md.append("- ").append(escape(r)).append('\n'));
            md.append('\n');
        }
        List<Finding> blocking = report.findings().stream().filter(f -> gate.blocking().containsKey(f.key())).toList();
        List<VulnerabilityFinding> blockingVulns = blocking.stream().filter(VulnerabilityFinding.class::isInstance)
                .map(VulnerabilityFinding.class::cast).toList();
        if (!blockingVulns.isEmpty()) {
            md.append("## Blocking vulnerabilities and how to fix them\n\n");
            md.append("| Vulnerability | Package | Score | Known exploited | Fixed in |\n|---|---|---|---|---|\n");
            for (VulnerabilityFinding v : blockingVulns) {
                md.append("| ").append(link(v.id())).append(" | `").append(v.packageUrl()).append("` | ")
                        .append(v.cvss() == null ? "none" : String.format(Locale.ROOT, "%.1f %s", v.cvss(),
                                v.severity() == null ? "" : v.severity().toUpperCase(Locale.ROOT)).strip())
                        .append(" | ").append(v.knownExploited() ? "**yes** (CISA KEV)" : "no")
                        .append(" | ").append(v.fixedVersion() == null ? "no fix known" : v.fixedVersion()).append(" |\n");
            }
            md.append('\n');
            md.append("### Upgrades\n\n");
            Map<String, List<VulnerabilityFinding>> byPackage = new TreeMap<>();
            for (VulnerabilityFinding v : blockingVulns) {
                byPackage.computeIfAbsent(v.packageName(), k -> new ArrayList<>()).add(v);
            }
            for (Map.Entry<String, List<VulnerabilityFinding>> e : byPackage.entrySet()) {
                String artifact = e.getKey().replaceFirst("^pkg:[a-z]+/", "");
                var gateFix = Versions.highest(e.getValue().stream().map(VulnerabilityFinding::fixedVersion));
                var allFix = Versions.highest(report.findings().stream().filter(VulnerabilityFinding.class::isInstance)
                        .map(VulnerabilityFinding.class::cast).filter(v -> v.packageName().equals(e.getKey()))
                        .map(VulnerabilityFinding::fixedVersion));
                boolean unfixable = e.getValue().stream().anyMatch(v -> v.fixedVersion() == null);
                md.append("- `").append(artifact).append("` ").append(e.getValue().get(0).version() == null ? "" : e.getValue().get(0).version());
                if (gateFix.isPresent()) {
                    md.append(": upgrade to **").append(gateFix.get()).append("** or later to pass the gate");
                    if (allFix.isPresent() && Versions.compare(allFix.get(), gateFix.get()) > 0) {
                        md.append("; ").append(allFix.get()).append(" fixes every known vulnerability found in it");
                    }
                }
                if (unfixable) {
                    md.append(gateFix.isPresent() ? "; " : ": ").append("some findings have no known fix: replace it, or suppress them with a reason, an owner and an expiry");
                }
                md.append('\n');
            }
            md.append('\n');
        }
        List<IacFinding> blockingIac = blocking.stream().filter(IacFinding.class::isInstance).map(IacFinding.class::cast).toList();
        if (!blockingIac.isEmpty()) {
            md.append("## Blocking IaC findings and how to fix them\n\n");
            md.append("| Rule | File | Resource | Problem | Fix |\n|---|---|---|---|---|\n");
            for (IacFinding i : blockingIac) {
                md.append("| `").append(i.id()).append("` | `").append(i.file()).append("` | `").append(i.resource())
                        .append("` | ").append(escape(i.message())).append(" | ").append(escape(i.fix().isBlank() ? "-" : i.fix())).append(" |\n");
            }
            md.append('\n');
        }
        if (!gate.suppressed().isEmpty()) {
            md.append("## Suppressed (accepted risk)\n\n");
            md.append("| Finding | Where | Owner | Reason | Expires |\n|---|---|---|---|---|\n");
            for (GateDecision.Suppressed s : gate.suppressed()) {
                String where = report.finding(s.findingKey()).map(ReportWriter::where).orElse(s.findingKey());
                md.append("| ").append(link(s.suppression().id())).append(" | `").append(where).append("` | ")
                        .append(escape(s.suppression().owner())).append(" | ").append(escape(s.suppression().reason()))
                        .append(" | ").append(s.suppression().expires()).append(" |\n");
            }
            md.append('\n');
        }
        if (!gate.expired().isEmpty() || !gate.invalid().isEmpty()) {
            md.append("## Suppressions to fix\n\n");
            gate.expired().forEach(s -> md.append("- expired: ").append(s.id()).append(" (owner ").append(escape(s.owner()))
                    .append(", expired ").append(s.expires()).append("): renew it with a new reason, or fix the finding\n"));
            gate.invalid().forEach(i -> md.append("- invalid: ").append(i.suppression().id() == null ? "(no id)" : i.suppression().id())
                    .append(": ").append(String.join(", ", i.problems())).append('\n'));
            md.append('\n');
        }
        List<Finding> others = report.findings().stream()
                .filter(f -> !gate.blocking().containsKey(f.key()))
                .filter(f -> gate.suppressed().stream().noneMatch(s -> s.findingKey().equals(f.key())))
                .toList();
        if (!others.isEmpty()) {
            md.append("## Below the threshold (not blocking)\n\n");
            for (Finding f : others) {
                md.append("- ").append(f.id()).append(" in `").append(where(f)).append('`');
                if (f instanceof VulnerabilityFinding v) {
                    md.append(score(v)).append(v.fixedVersion() == null ? "" : "; fixed in " + v.fixedVersion());
                }
                md.append('\n');
            }
            md.append('\n');
        }
        if (!report.notes().isEmpty()) {
            md.append("## Coverage notes\n\n");
            report.notes().forEach(n -> md.append("- ").append(escape(n)).append('\n'));
            md.append('\n');
        }
        md.append("## Reports\n\n");
        new TreeMap<>(report.artifacts()).forEach((k, p) -> md.append("- ").append(k).append(": `").append(p.getFileName()).append("`\n"));
        return md.toString();
    }

    private static String where(Finding f) {
        return switch (f) {
            case VulnerabilityFinding v -> v.packageUrl();
            case IacFinding i -> i.file() + " " + i.resource();
        };
    }

    private static long count(ScanReport report, Class<? extends Finding> type) {
        return report.findings().stream().filter(type::isInstance).count();
    }

    private static String link(String id) {
        return id != null && id.startsWith("CVE-") ? "[" + id + "](https://nvd.nist.gov/vuln/detail/" + id + ")" : "`" + id + "`";
    }

    /** Keeps a table cell in its cell: pipes and line breaks would break the Markdown table. */
    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replaceAll("[\\r\\n]+", " ");
    }
}
