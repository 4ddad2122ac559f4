package dev.portcullis.cli.scan;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditSink;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.JsonLinesAuditSink;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.scan.GateDecision;
import dev.portcullis.scan.ScanException;
import dev.portcullis.scan.ScanProgress;
import dev.portcullis.scan.ScanReport;
import dev.portcullis.scan.ScanRequest;
import dev.portcullis.scan.ScanStage;
import dev.portcullis.scan.ScanTools;
import dev.portcullis.scan.Threshold;
import dev.portcullis.scan.VulnerabilitySource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code portcullis scan}: the CI scan stage. Dependency-Check and a CycloneDX SBOM on a Maven
 * project, IaC checks on Terraform folders, the Rego gate; SARIF, JSON, Markdown and HTML reports.
 * Exit 0 when the gate passes, 1 when it fails, 2 when the scan could not run.
 */
@Command(
        name = "scan",
        mixinStandardHelpOptions = true,
        subcommands = {ScanCommand.Iac.class},
        description = {
            "The CI scan stage: may this build ship, and why not?",
            "Runs OWASP Dependency-Check and the CycloneDX SBOM on a Maven project, the Portcullis IaC rules"
                + " and Checkov on Terraform folders, and the policies/ci gate over everything found.",
            "Writes portcullis-scan.sarif (SARIF 2.1.0), portcullis-scan.json, portcullis-scan.md and"
                + " Dependency-Check's HTML into the report folder; progress goes to standard error."
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the gate passed",
            "  1  the gate failed (the summary says why and how to fix it)",
            "  2  the scan could not run (one line says why; no report is left that looks complete)",
            "",
            "Data sources: --nvd-api-key-env NAME (connected), --nvd-datafeed-url URL with --known-exploited-url URL",
            "(a mirror, offline), or --no-update (the cached data directory only, offline). See docs/scan-stage.md."
        })
public final class ScanCommand implements Callable<Integer> {

    /** The data directory used when none is given: the per-user cache, shared by every scan. */
    public static final String DEFAULT_DATA_DIR_HINT = "~/.cache/portcullis/scan/dependency-check-data";

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--project", paramLabel = "DIR", description = "The Maven project to scan (a folder with a pom.xml).")
    Path project;

    @Option(names = "--terraform", paramLabel = "DIR", description = "A Terraform folder to check; repeat for several.")
    List<Path> terraform = new ArrayList<>();

    @Option(names = "--fail-on", scope = ScopeType.INHERIT, paramLabel = "SEVERITY", defaultValue = "high", converter = ThresholdConverter.class,
            description = "Fail on a CVSS score at or above: low, medium, high, critical or a number 0-10 (default: ${DEFAULT-VALUE}).")
    Threshold threshold;

    @Option(names = "--report-dir", scope = ScopeType.INHERIT, paramLabel = "DIR", defaultValue = "portcullis-scan",
            description = "Where the reports go (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    @Option(names = "--suppressions", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Accepted findings: {\"suppressions\": [{id, package?, file?, resource?, reason, owner, expires}]}.")
    Path suppressions;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Dependency-Check's data directory; cache it between runs (default: " + DEFAULT_DATA_DIR_HINT + ").")
    Path dataDir;

    @Option(names = "--no-checkov", scope = ScopeType.INHERIT, description = "Do not run Checkov (the Portcullis IaC rules still run).")
    boolean noCheckov;

    @Option(names = "--maven", paramLabel = "PATH", description = "Maven to run (default: $PORTCULLIS_MAVEN, the project's mvnw, mvn on the PATH).")
    Path maven;

    @Option(names = "--opa", scope = ScopeType.INHERIT, paramLabel = "PATH", description = "The opa binary (default: $PORTCULLIS_OPA, opa on the PATH).")
    Path opa;

    @Option(names = "--checkov", scope = ScopeType.INHERIT, paramLabel = "PATH", description = "The checkov program (default: $PORTCULLIS_CHECKOV, checkov on the PATH).")
    Path checkov;

    @Option(names = "--hcl2json", scope = ScopeType.INHERIT, paramLabel = "PATH", description = "The hcl2json program (default: $PORTCULLIS_HCL2JSON, hcl2json on the PATH).")
    Path hcl2json;

    @Option(names = "--policy-dir", scope = ScopeType.INHERIT, paramLabel = "DIR", description = "Use the ci/ and terraform/ policies in DIR instead of the built-in ones.")
    Path policyDir;

    @Option(names = "--audit-events", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Append a scan.completed audit event to FILE (JSON lines, the audit event contract);"
                + " import it with 'portcullis audit import'.")
    Path auditEvents;

    /** Exactly one vulnerability data source. */
    static final class Source {
        @Option(names = "--nvd-api-key-env", paramLabel = "NAME",
                description = "Use the NVD API with the key in environment variable NAME (the key never goes on a command line).")
        String apiKeyEnv;

        @ArgGroup(exclusive = false)
        MirrorSource mirror;

        @Option(names = "--no-update", description = "Do not update: use the cached data directory as it is (offline).")
        boolean noUpdate;
    }

    /** A feed mirror needs both URLs. */
    static final class MirrorSource {
        @Option(names = "--nvd-datafeed-url", paramLabel = "URL", required = true,
                description = "Base URL of an NVD JSON 2.0 feed mirror (nvdcve-{year}.json.gz + .meta), for air-gapped runners.")
        URI feedUrl;

        @Option(names = "--known-exploited-url", paramLabel = "URL", required = true,
                description = "URL of a mirror of the CISA known exploited vulnerabilities catalog (JSON).")
        URI kevUrl;
    }

    @Override
    public Integer call() {
        ScanRequest.Builder request = ScanRequest.builder(reportDir)
                .project(project)
                .threshold(threshold)
                .suppressions(suppressions)
                .checkov(!noCheckov)
                .dataDir(dataDir != null ? dataDir : defaultDataDir());
        terraform.forEach(request::terraform);
        if (project == null) {
            if (terraform.isEmpty()) {
                throw new CouldNotRunException("nothing to scan: give --project DIR and/or --terraform DIR");
            }
            request.iacOnly();
        } else {
            request.source(source());
        }
        return execute(request, output.json());
    }

    int execute(ScanRequest.Builder builder, boolean json) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ScanTools tools = ScanTools.builder(System.getenv()).maven(maven).opa(opa).checkov(checkov)
                .hcl2json(hcl2json).policyDir(policyDir).build();
        AuditSink sink = auditEvents == null ? null : new JsonLinesAuditSink(auditEvents);
        ScanReport report;
        try {
            report = new ScanStage(tools, Clock.systemUTC(), sink).run(builder.build(), new StderrProgress(err));
        } catch (ScanException e) {
            throw new CouldNotRunException("scan could not run (" + e.error().name().toLowerCase(Locale.ROOT) + "): " + e.getMessage(), e);
        }
        if (json) {
            try {
                out.println(java.nio.file.Files.readString(report.artifacts().get("json")));
            } catch (IOException e) {
                throw new CouldNotRunException("cannot read back " + report.artifacts().get("json") + ": " + e.getMessage(), e);
            }
        } else {
            printSummary(out, report);
        }
        out.flush();
        return report.passed() ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private VulnerabilitySource source() {
        if (source == null) {
            throw new CouldNotRunException("choose a vulnerability data source: --nvd-api-key-env NAME,"
                    + " --nvd-datafeed-url URL --known-exploited-url URL, or --no-update");
        }
        try {
            if (source.apiKeyEnv != null) {
                if (System.getenv(source.apiKeyEnv) == null) {
                    throw new CouldNotRunException("environment variable " + source.apiKeyEnv + " (the NVD API key) is not set");
                }
                return new VulnerabilitySource.NvdApi(source.apiKeyEnv);
            }
            if (source.mirror != null) {
                return new VulnerabilitySource.Mirror(source.mirror.feedUrl, source.mirror.kevUrl);
            }
            return new VulnerabilitySource.CacheOnly();
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
    }

    static Path defaultDataDir() {
        String cache = System.getenv("PORTCULLIS_CACHE");
        if (cache == null || cache.isBlank()) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg);
            return base.resolve("portcullis").resolve("scan").resolve("dependency-check-data");
        }
        return Path.of(cache).resolve("scan").resolve("dependency-check-data");
    }

    static void printSummary(PrintWriter out, ScanReport report) {
        GateDecision gate = report.gate();
        out.println(gate.pass() ? "PASS: the gate passed" : "FAIL: the gate failed");
        for (String reason : gate.reasons()) {
            out.println("  - " + reason);
        }
        for (GateDecision.Suppressed s : gate.suppressed()) {
            out.println("  suppressed: " + s.suppression().id() + " (owner " + s.suppression().owner()
                    + ", expires " + s.suppression().expires() + "): " + s.suppression().reason());
        }
        out.println(report.findings().size() + " finding(s), " + gate.blocking().size() + " blocking, "
                + gate.suppressed().size() + " suppressed" + (report.sbomComponents() >= 0
                        ? "; SBOM of " + report.sbomComponents() + " components" : ""));
        for (String note : report.notes()) {
            out.println("note: " + note);
        }
        for (Map.Entry<String, Path> a : new java.util.TreeMap<>(report.artifacts()).entrySet()) {
            out.println("report: " + a.getValue());
        }
    }

    /** {@code portcullis scan iac}: only the IaC checks, on any folder (for Terraform's own CI). */
    @Command(name = "iac", mixinStandardHelpOptions = true,
            description = {"Checks Terraform folders only: the Portcullis IaC rules (policies/terraform) and Checkov,"
                + " through the same gate. Same reports and exit codes as 'portcullis scan'."})
    static final class Iac implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        ScanCommand parent;

        /** Its own, so that {@code scan iac --terraform DIR --output json} works as well as {@code scan --output json iac ...}. */
        @picocli.CommandLine.Mixin
        OutputOptions output;

        @Option(names = "--terraform", paramLabel = "DIR", required = true, description = "A Terraform folder; repeat for several.")
        List<Path> terraform = new ArrayList<>();

        @Override
        public Integer call() {
            ScanRequest.Builder request = ScanRequest.builder(parent.reportDir).iacOnly()
                    .threshold(parent.threshold).suppressions(parent.suppressions).checkov(!parent.noCheckov);
            terraform.forEach(request::terraform);
            return parent.execute(request, parent.output.json() || output.json());
        }
    }

    /** Step lines on standard error: "[2/5] Checkov on terraform ... done in 14.2 s". */
    static final class StderrProgress implements ScanProgress {
        private final PrintWriter err;

        StderrProgress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void started(int step, int steps, String what) {
            err.println("[" + step + "/" + steps + "] " + what + " ...");
            err.flush();
        }

        @Override
        public void finished(int step, int steps, String what, Duration took) {
            err.println(String.format(Locale.ROOT, "[%d/%d] done in %.1f s", step, steps, took.toMillis() / 1000.0));
            err.flush();
        }
    }

    /** Accepts low, medium, high, critical or a CVSS score. */
    static final class ThresholdConverter implements ITypeConverter<Threshold> {
        @Override
        public Threshold convert(String value) {
            try {
                return Threshold.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
