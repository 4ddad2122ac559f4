package dev.portcullis.cli.anomalies;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.portcullis.anomaly.admin.AnomalyAdmin;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.alert.JsonLinesAlertStore;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.cli.AdminApiClient;
import dev.portcullis.cli.AdminApiOptions;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code portcullis anomalies list}: the alerts of the running service, or of an alert store, newest first. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {"Lists alerts, newest first: unacknowledged ones, or all with --all. From the running service's",
            "admin API (GET /v1/admin/anomalies), or with --store FILE from an alert store (alerts.jsonl beside the",
            "online detector's checkpoint). With --output json, one record per line: {id, detected_at, alert,",
            "acknowledged}."})
public final class AnomaliesListCommand implements Callable<Integer> {

    /** The admin API's limit on one answer. */
    private static final int MAX_LIMIT = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--store", paramLabel = "FILE",
            description = "Read this alert store (alerts.jsonl) instead of asking the running service.")
    Path store;

    @Mixin
    AdminApiOptions api;

    @Option(names = "--all", description = "Include acknowledged alerts.")
    boolean all;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (store != null) {
            print(fromStore());
            return ExitCode.OK;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new CouldNotRunException("--limit must be from 1 to " + MAX_LIMIT);
        }
        return AdminApiClient.run(api, spec.commandLine().getErr(), client -> {
            JsonNode answer = client.get("/v1/admin/anomalies?all=" + all + "&limit=" + limit);
            List<AlertRecord> records = new ArrayList<>();
            for (JsonNode node : answer.path("alerts")) {
                try {
                    records.add(AnomalyAdmin.fromTree(node));
                } catch (IllegalArgumentException e) {
                    throw new CouldNotRunException("the service answered an alert this CLI cannot read: " + e.getMessage());
                }
            }
            print(records);
            return ExitCode.OK;
        });
    }

    private List<AlertRecord> fromStore() {
        if (!java.nio.file.Files.exists(store)) {
            throw new CouldNotRunException("alert store " + store + " does not exist");
        }
        try {
            return new JsonLinesAlertStore(store).list(all, Math.max(0, limit));
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read alert store " + store + ": " + e.getMessage());
        }
    }

    private void print(List<AlertRecord> records) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            records.forEach(r -> out.println(AnomalyAdmin.toJson(r)));
            return;
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
    }
}
