package dev.portcullis.cli.anomalies;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.DetectionEngine;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.alert.AlertJson;
import dev.portcullis.anomaly.detectors.Detectors;
import dev.portcullis.anomaly.source.JsonLinesEventSource;
import dev.portcullis.anomaly.source.SkippedLines;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.cli.ProgressBars;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis anomalies scan}: every detector over a JSON-lines file of audit events. */
@Command(
        name = "scan",
        mixinStandardHelpOptions = true,
        description = {
            "Runs every detector over the audit events in FILE (JSON lines, in time order) and prints",
            "the alerts: a table, or with --output json one alert per line in the contract's format.",
            "Malformed lines are skipped; their count and line numbers go to standard error."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  no alert", "  1  at least one alert", "  2  could not run (unreadable input, bad thresholds)"})
public final class AnomaliesScanCommand implements Callable<Integer> {

    /** Inputs at least this large get a progress bar. */
    static final long PROGRESS_THRESHOLD = 32L * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Audit events, one JSON object per line.")
    Path input;

    @Option(names = "--thresholds", paramLabel = "FILE",
            description = "Threshold overrides (Java properties, e.g. brute-force.min-failures=5).")
    Path thresholdsFile;

    @Option(names = "--progress", negatable = true,
            description = "Progress bar on standard error for large inputs (default: only when it is a terminal).")
    Boolean progress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Thresholds thresholds = AnomalyOptions.thresholds(thresholdsFile);
        List<Alert> alerts = new ArrayList<>();
        DetectionEngine engine;
        try {
            engine = new DetectionEngine(Detectors.all(thresholds), alerts::add);
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage());
        }
        long size;
        try {
            size = Files.size(input);
        } catch (NoSuchFileException e) {
            throw new CouldNotRunException("input file " + input + " does not exist");
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read input file " + input + ": " + e.getMessage());
        }
        SkippedLines skipped;
        long[] read = new long[1];
        try (InputStream raw = Files.newInputStream(input);
                ProgressBar bar = size >= PROGRESS_THRESHOLD && ProgressBars.wanted(progress)
                        ? ProgressBars.open("scan", size, " bytes", 500) : null;
                JsonLinesEventSource source = new JsonLinesEventSource(new BufferedInputStream(new FilterInputStream(raw) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) {
                            read[0] += n;
                            if (bar != null) {
                                bar.stepTo(read[0]);
                            }
                        }
                        return n;
                    }
                }, 1 << 16), new AuditEventJson())) {
            for (AuditEvent e = source.next(); e != null; e = source.next()) {
                engine.process(e);
            }
            engine.finish();
            skipped = source.skipped();
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read input file " + input + ": " + e.getMessage());
        }
        if (output.json()) {
            alerts.forEach(a -> out.println(AlertJson.toJson(a)));
        } else {
            printTable(out, alerts, engine.processed());
        }
        out.flush();
        reportSkipped(err, skipped);
        if (engine.processed() == 0 && skipped.count() > 0) {
            // Not "no alert": nothing was looked at. A gate that passed here would pass any file.
            err.println("portcullis: no line of " + input + " is an audit event (" + skipped.count()
                    + " skipped); nothing was scanned");
            return ExitCode.COULD_NOT_RUN;
        }
        return alerts.isEmpty() ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    static void printTable(PrintWriter out, List<Alert> alerts, long events) {
        out.printf(Locale.ROOT, "%d event(s) scanned, %d alert(s)%n", events, alerts.size());
        if (alerts.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "%-8s  %-23s  %-32s  %-24s  %5s  %s%n", "SEVERITY", "DETECTOR", "ENTITY", "START", "SCORE",
                "EXPLANATION");
        for (Alert a : alerts) {
            out.printf(Locale.ROOT, "%-8s  %-23s  %-32s  %-24s  %5.2f  %s%n", a.severity(), a.detector(),
                    AnomalyOptions.clip(a.entity().key(), 32), AuditEventJson.formatTime(a.start()), a.score(), a.explanation());
        }
    }

    static void reportSkipped(PrintWriter err, SkippedLines skipped) {
        if (skipped.count() == 0) {
            return;
        }
        err.printf(Locale.ROOT, "portcullis: skipped %d malformed line(s): %s%s%n", skipped.count(),
                AnomalyOptions.join(skipped.lineNumbers(), 50), skipped.count() > 50 ? ", ..." : "");
        skipped.listed().stream().limit(10).forEach(s -> err.printf(Locale.ROOT, "  line %d: %s%n", s.line(), s.reason()));
        err.flush();
    }
}
