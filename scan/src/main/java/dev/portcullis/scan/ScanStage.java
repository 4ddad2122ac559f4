package dev.portcullis.scan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.scan.internal.CheckovScan;
import dev.portcullis.scan.internal.DependencyScan;
import dev.portcullis.scan.internal.Gate;
import dev.portcullis.scan.internal.OpaEvaluator;
import dev.portcullis.scan.internal.ProcessRunner;
import dev.portcullis.scan.internal.ReportWriter;
import dev.portcullis.scan.internal.TerraformConverter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CI scan stage: one call that says whether a build may ship, and why not.
 *
 * <p>It runs, in order: Dependency-Check and the CycloneDX SBOM on the Maven project (one Maven
 * run), the {@code policies/terraform} rules and Checkov on each Terraform folder, and the
 * {@code policies/ci} gate over everything found. It then writes SARIF 2.1.0, a JSON report, a
 * Markdown summary, Dependency-Check's HTML and JSON, and the SBOM into the report folder, and
 * records one {@code scan.completed} audit event when an {@link AuditSink} is given.
 *
 * <p>Completeness contract: the reports of a scan appear in the report folder only when the scan
 * ran to its verdict; they are written into a staging folder and moved in at the end, and the
 * reports of an earlier run are removed first. A scan that cannot run to the end throws
 * {@link ScanException} and leaves only {@code scan-incomplete.json} (and the tool logs under
 * {@code logs/}), so no partial report is ever passed off as complete. The audit event is
 * recorded after the reports are in place; if it cannot be recorded, the scan fails with
 * {@link ScanError#OUTPUT_FAILED} and the reports are taken away again.
 */
public final class ScanStage {

    /** The reports a complete scan writes, by name, and their file names. */
    public static final Map<String, String> REPORT_FILES = orderedMap(
            "sarif", "portcullis-scan.sarif",
            "json", "portcullis-scan.json",
            "markdown", "portcullis-scan.md",
            "dependency-check-html", "dependency-check-report.html",
            "dependency-check-json", "dependency-check-report.json",
            "sbom", "bom.json");

    /** Written instead of the reports when the scan could not run to its verdict. */
    public static final String INCOMPLETE_FILE = "scan-incomplete.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ScanTools tools;
    private final Clock clock;
    private final AuditSink auditSink;

    /** A stage that records no audit event. */
    public ScanStage(ScanTools tools, Clock clock) {
        this(tools, clock, null);
    }

    /** A stage that records a {@code scan.completed} event in {@code auditSink} (null for none). */
    public ScanStage(ScanTools tools, Clock clock, AuditSink auditSink) {
        this.tools = Objects.requireNonNull(tools, "tools cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.auditSink = auditSink;
    }

    public ScanReport run(ScanRequest request, ScanProgress progress) throws ScanException {
        Objects.requireNonNull(request, "request cannot be null");
        Objects.requireNonNull(progress, "progress cannot be null");
        String scanId = UUID.randomUUID().toString();
        Instant started = clock.instant();
        Path reportDir = request.reportDir().toAbsolutePath().normalize();
        Path staging = reportDir.resolve(".partial-" + scanId);
        try {
            prepare(reportDir);
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new ScanException(ScanError.OUTPUT_FAILED, "cannot prepare the report folder " + reportDir + ": " + e.getMessage(), e);
        }
        try {
            ScanReport report = scan(request, scanId, started, reportDir, staging, progress);
            audit(report, null, request);
            return report;
        } catch (ScanException e) {
            deleteQuietly(staging);
            // The reports may already be in place (the audit event is recorded after they are):
            // a scan that fails leaves none of them, whatever step failed.
            for (String name : REPORT_FILES.values()) {
                deleteQuietly(reportDir.resolve(name));
            }
            writeIncomplete(reportDir, scanId, e);
            if (e.error() != ScanError.OUTPUT_FAILED || !(e.getCause() instanceof AuditException)) {
                try {
                    audit(null, e, request);
                } catch (ScanException auditFailure) {
                    e.addSuppressed(auditFailure);
                }
            }
            throw e;
        }
    }

    private ScanReport scan(ScanRequest request, String scanId, Instant started, Path reportDir, Path staging,
            ScanProgress progress) throws ScanException {
        ProcessRunner runner = new ProcessRunner(reportDir.resolve("logs"));
        int steps = (request.dependencyScan() ? 1 : 0)
                + (request.terraformDirs().isEmpty() ? 0 : 1)
                + (request.checkov() ? request.terraformDirs().size() : 0)
                + 2;
        int step = 0;
        List<Suppression> suppressions = request.suppressionsFile().isPresent()
                ? Gate.readSuppressions(request.suppressionsFile().get()) : List.of();
        Path policies = tools.policyDir().orElse(null);
        List<String> notes = new ArrayList<>();
        if (policies == null) {
            policies = OpaEvaluator.extractBuiltInPolicies(staging.resolve("policies"));
        } else {
            // A gate other than the shipped one must be visible to whoever reads the verdict.
            notes.add("policies from " + policies.toAbsolutePath().normalize() + " instead of the built-in gate and IaC rules");
        }
        OpaEvaluator opa = new OpaEvaluator(runner, tools.opa(), policies);

        List<Finding> findings = new ArrayList<>();
        Map<String, Path> artifacts = new LinkedHashMap<>();
        int sbomComponents = -1;
        Map<String, String> toolVersions = new LinkedHashMap<>();
        toolVersions.put("portcullis", tools.portcullisVersion());

        // The IaC checks need nothing from the dependency scan: they run beside it, so that the
        // scan takes as long as its slowest part rather than the sum of them.
        int iacFirstStep = step + (request.dependencyScan() ? 1 : 0) + 1;
        IacResult iac = null;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<IacResult> iacFuture = request.terraformDirs().isEmpty() ? null
                    : pool.submit(() -> iac(runner, opa, request, progress, iacFirstStep, steps));
            try {
                if (request.dependencyScan()) {
                    String what = "Dependency-Check " + tools.dependencyCheckVersion() + " and CycloneDX SBOM on "
                            + request.projectDir().orElseThrow() + " (Maven)";
                    Instant t0 = begin(progress, ++step, steps, what);
                    DependencyScan.Result deps = new DependencyScan(tools, runner, DependencyScan.DEFAULT_TIMEOUT)
                            .run(request, staging);
                    findings.addAll(deps.findings());
                    notes.addAll(deps.notes());
                    sbomComponents = deps.sbomComponents();
                    artifacts.put("dependency-check-json", deps.dependencyCheckJson());
                    artifacts.put("dependency-check-html", deps.dependencyCheckHtml());
                    artifacts.put("sbom", deps.sbom());
                    toolVersions.put("dependency-check-maven", tools.dependencyCheckVersion());
                    toolVersions.put("cyclonedx-maven-plugin", tools.cyclonedxVersion());
                    end(progress, step, steps, what, t0);
                }
                if (iacFuture != null) {
                    iac = join(iacFuture);
                }
            } catch (ScanException | RuntimeException e) {
                if (iacFuture != null) {
                    iacFuture.cancel(true); // interrupts the IaC thread, which kills its tool
                }
                throw e;
            }
        }
        if (iac != null) {
            findings.addAll(iac.findings());
            notes.addAll(iac.notes());
            toolVersions.putAll(iac.tools());
            step += iac.steps();
        }

        String gateWhat = "gate (policies/ci) over " + findings.size() + " finding(s)";
        Instant t2 = begin(progress, ++step, steps, gateWhat);
        GateDecision decision = new Gate(opa).decide(started, request.threshold(), findings, suppressions);
        end(progress, step, steps, gateWhat, t2);

        String writeWhat = "reports into " + reportDir;
        Instant t3 = begin(progress, ++step, steps, writeWhat);
        ScanReport report = new ScanReport(scanId, started, clock.instant(), request.projectDir().orElse(null),
                request.terraformDirs(), request.threshold(),
                request.dependencyScan() ? request.source().describe() : null, notes, findings, decision,
                sbomComponents, toolVersions, Map.of());
        Map<String, Path> finalPaths = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : REPORT_FILES.entrySet()) {
            if (artifacts.containsKey(e.getKey()) || List.of("sarif", "json", "markdown").contains(e.getKey())) {
                finalPaths.put(e.getKey(), reportDir.resolve(e.getValue()));
            }
        }
        report = report.withArtifacts(finalPaths);
        ReportWriter writer = new ReportWriter(tools.portcullisVersion());
        try {
            Files.writeString(staging.resolve(REPORT_FILES.get("sarif")), writer.sarif(report), StandardCharsets.UTF_8);
            Files.writeString(staging.resolve(REPORT_FILES.get("json")), writer.json(report), StandardCharsets.UTF_8);
            Files.writeString(staging.resolve(REPORT_FILES.get("markdown")), writer.markdown(report), StandardCharsets.UTF_8);
            for (Map.Entry<String, Path> a : artifacts.entrySet()) {
                Files.move(a.getValue(), staging.resolve(REPORT_FILES.get(a.getKey())), StandardCopyOption.REPLACE_EXISTING);
            }
            // Publish: every report moves in only now that all of them exist.
            for (Map.Entry<String, Path> p : finalPaths.entrySet()) {
                move(staging.resolve(REPORT_FILES.get(p.getKey())), p.getValue());
            }
        } catch (IOException e) {
            for (Path p : finalPaths.values()) {
                deleteQuietly(p);
            }
            throw new ScanException(ScanError.OUTPUT_FAILED, "cannot write the reports into " + reportDir + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(staging);
        }
        end(progress, step, steps, writeWhat, t3);
        return report;
    }

    /** What the IaC half of a scan found, and how many progress steps it took. */
    private record IacResult(List<Finding> findings, List<String> notes, Map<String, String> tools, int steps) {
    }

    private IacResult iac(ProcessRunner runner, OpaEvaluator opa, ScanRequest request, ScanProgress progress,
            int firstStep, int steps) throws ScanException {
        List<Finding> found = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, String> versions = new LinkedHashMap<>();
        int step = firstStep;
        String what = "IaC rules (policies/terraform) on " + request.terraformDirs().size() + " Terraform folder(s)";
        Instant t0 = begin(progress, step, steps, what);
        found.addAll(terraformRules(runner, opa, request.terraformDirs(), notes));
        versions.put("hcl2json", tools.hcl2json().getFileName().toString());
        end(progress, step, steps, what, t0);
        if (request.checkov()) {
            CheckovScan checkov = new CheckovScan(runner, tools.checkov());
            int index = 0;
            for (Path dir : request.terraformDirs()) {
                String cwhat = "Checkov on " + dir;
                Instant t1 = begin(progress, ++step, steps, cwhat);
                found.addAll(checkov.scan(dir, index++));
                end(progress, step, steps, cwhat, t1);
            }
            versions.put("checkov", tools.checkov().toString());
        } else {
            notes.add("Checkov was not run (--no-checkov): only the Portcullis IaC rules checked Terraform");
        }
        return new IacResult(found, notes, versions, step - firstStep + 1);
    }

    private static IacResult join(Future<IacResult> future) throws ScanException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ScanException(ScanError.INTERRUPTED, "interrupted while the IaC checks ran", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ScanException se) {
                throw se;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ScanException(ScanError.IAC_SCAN_FAILED, "the IaC checks failed: " + e.getCause(), e.getCause());
        }
    }

    private List<Finding> terraformRules(ProcessRunner runner, OpaEvaluator opa, List<Path> dirs, List<String> notes)
            throws ScanException {
        TerraformConverter.Conversion conversion = new TerraformConverter(runner, tools.hcl2json()).convert(dirs);
        conversion.unchecked().forEach(u -> notes.add("not checked by the Portcullis IaC rules: " + u
                + " (write it as a data.vault_policy_document, a literal heredoc or a file(...) of a policy file)"));
        JsonNode value = opa.evaluate("terraform-rules", "terraform",
                "{\"findings\": data.portcullis.terraform.result.findings, \"rules\": data.portcullis.terraform.rules}",
                conversion.input());
        JsonNode list = value.path("findings");
        if (!list.isArray() || !value.path("rules").isObject()) {
            throw new ScanException(ScanError.POLICY_FAILED, "policies/terraform gave an ill-shaped answer; failing closed");
        }
        List<Finding> findings = new ArrayList<>();
        for (JsonNode f : list) {
            String rule = f.path("rule").asString("");
            String file = f.path("file").asString("");
            if (rule.isBlank() || file.isBlank() || !f.path("resource").isString() || !f.path("message").isString()) {
                throw new ScanException(ScanError.POLICY_FAILED, "policies/terraform gave a finding without rule, file, resource or message");
            }
            findings.add(new IacFinding(rule, IacFinding.TOOL_REGO, conversion.displayPath(file),
                    f.path("resource").asString(), f.path("severity").asString(null), f.path("message").asString(),
                    value.path("rules").path(rule).path("fix").asString("")));
        }
        return findings;
    }

    private void audit(ScanReport report, ScanException failure, ScanRequest request) throws ScanException {
        if (auditSink == null) {
            return;
        }
        String resource = request.projectDir().map(p -> p.toAbsolutePath().normalize().toString())
                .orElseGet(() -> request.terraformDirs().stream().map(p -> p.toAbsolutePath().normalize().toString())
                        .reduce((a, b) -> a + "," + b).orElse("-"));
        AuditEvent.Builder event = AuditEvent.builder(EventType.SCAN_COMPLETED, clock.instant())
                .actor(Actor.system("scan"))
                .action("scan")
                .resource(resource);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("threshold_cvss", request.threshold().cvss());
        if (report != null) {
            GateDecision gate = report.gate();
            event.outcome(gate.pass() ? Outcome.SUCCESS : Outcome.FAILURE).reason(gate.pass() ? "gate_passed" : "gate_failed");
            attributes.put("scan_id", report.scanId());
            attributes.put("findings", report.findings().size());
            attributes.put("blocking", gate.blocking().keySet().stream().sorted().toList());
            attributes.put("suppressed", gate.suppressed().stream().map(GateDecision.Suppressed::findingKey).sorted().toList());
            attributes.put("expired_suppressions", gate.expired().size());
            attributes.put("invalid_suppressions", gate.invalid().size());
            attributes.put("offline", request.dependencyScan() && request.source().offline());
            attributes.put("report_sha256", sha256(report.artifacts().get("json")));
        } else {
            event.outcome(Outcome.FAILURE).reason("could_not_run:" + failure.error().name().toLowerCase(java.util.Locale.ROOT));
            attributes.put("error", failure.error().name());
        }
        event.attributes(attributes);
        try {
            auditSink.append(event.build());
        } catch (AuditException e) {
            throw new ScanException(ScanError.OUTPUT_FAILED, "the scan.completed audit event could not be recorded: " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) throws ScanException {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return HexFormat.of().formatHex(digest);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new ScanException(ScanError.OUTPUT_FAILED, "cannot hash " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the reports of an earlier run, so that none of them can pass for this run's. */
    private static void prepare(Path reportDir) throws IOException {
        Files.createDirectories(reportDir);
        for (String name : REPORT_FILES.values()) {
            Files.deleteIfExists(reportDir.resolve(name));
        }
        Files.deleteIfExists(reportDir.resolve(INCOMPLETE_FILE));
        deleteQuietly(reportDir.resolve("logs"));
        try (Stream<Path> old = Files.list(reportDir)) {
            old.filter(p -> p.getFileName().toString().startsWith(".partial-")).forEach(ScanStage::deleteQuietly);
        }
        Files.createDirectories(reportDir.resolve("logs"));
    }

    private static void writeIncomplete(Path reportDir, String scanId, ScanException e) {
        String json = "{\n  \"schema\": \"portcullis.scan/v1\",\n  \"scan_id\": \"" + scanId + "\",\n  \"status\": \"could_not_run\",\n"
                + "  \"error\": \"" + e.error().name() + "\",\n  \"message\": " + quote(e.getMessage()) + "\n}\n";
        try {
            Files.createDirectories(reportDir);
            Files.writeString(reportDir.resolve(INCOMPLETE_FILE), json, StandardCharsets.UTF_8);
        } catch (IOException io) {
            e.addSuppressed(io);
        }
    }

    private static String quote(String s) {
        return JSON.writeValueAsString(s == null ? "" : s);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover staging file never passes for a report
                }
            });
        } catch (IOException e) {
            // best effort, as above
        }
    }

    private Instant begin(ScanProgress progress, int step, int steps, String what) {
        progress.started(step, steps, what);
        return clock.instant();
    }

    private void end(ScanProgress progress, int step, int steps, String what, Instant t0) {
        progress.finished(step, steps, what, Duration.between(t0, clock.instant()));
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    /** The path of a report of a complete scan in {@code reportDir}. */
    public static Optional<Path> reportFile(Path reportDir, String name) {
        return Optional.ofNullable(REPORT_FILES.get(name)).map(reportDir::resolve);
    }
}
