package dev.portcullis.cli.anomalies;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.portcullis.anomaly.admin.AnomalyAdmin;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.alert.JsonLinesAlertStore;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis anomalies list}: the alerts in an alert store, newest first. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {"Lists the alerts kept in the alert store (alerts.jsonl beside the online detector's",
            "checkpoint), newest first: unacknowledged ones, or all with --all. With --output json, one",
            "record per line: {id, detected_at, alert, acknowledged}."})
public final class AnomaliesListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--store", required = true, paramLabel = "FILE", description = "The alert store (alerts.jsonl).")
    Path store;

    @Option(names = "--all", description = "Include acknowledged alerts.")
    boolean all;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (!java.nio.file.Files.exists(store)) {
            throw new CouldNotRunException("alert store " + store + " does not exist");
        }
        List<AlertRecord> records;
        try {
            records = new JsonLinesAlertStore(store).list(all, Math.max(0, limit));
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read alert store " + store + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            records.forEach(r -> out.println(AnomalyAdmin.toJson(r)));
            return ExitCode.OK;
        }
        out.printf(Locale.ROOT, "%d alert(s)%s%n", records.size(), all ? "" : " not acknowledged");
        if (!records.isEmpty()) {
            out.printf(Locale.ROOT, "%-26s  %-24s  %-8s  %-23s  %-28s  %-12s  %s%n", "ID", "DETECTED", "SEVERITY", "DETECTOR",
                    "ENTITY", "ACK", "EXPLANATION");
        }
        for (AlertRecord r : records) {
            out.printf(Locale.ROOT, "%-26s  %-24s  %-8s  %-23s  %-28s  %-12s  %s%n", r.id(),
                    AuditEventJson.formatTime(r.detectedAt()), r.alert().severity(), r.alert().detector(),
                    AnomalyOptions.clip(r.alert().entity().key(), 28),
                    r.acknowledged() ? AnomalyOptions.clip(r.acknowledgement().by(), 12) : "-", r.alert().explanation());
        }
        return ExitCode.OK;
    }
}
