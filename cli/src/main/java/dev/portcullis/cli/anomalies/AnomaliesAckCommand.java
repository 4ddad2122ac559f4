package dev.portcullis.cli.anomalies;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.portcullis.anomaly.admin.AnomalyAdmin;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.alert.JsonLinesAlertStore;
import dev.portcullis.cli.AdminApiClient;
import dev.portcullis.cli.AdminApiOptions;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code portcullis anomalies ack ID}: acknowledges an alert of the running service, or in an alert store. */
@Command(
        name = "ack",
        mixinStandardHelpOptions = true,
        description = {"Acknowledges alert ID: through the running service's admin API (POST /v1/admin/anomalies/ID/ack),",
            "which records who you are (from your token) in the audit log before it stores the acknowledgement;",
            "or with --store FILE in an alert store, appending who and when (not audited: prefer the service).",
            "The alert is never rewritten; acknowledging twice keeps the first acknowledgement."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  acknowledged (or already acknowledged)", "  1  no alert has that id; not allowed (service)",
            "  2  could not run"})
public final class AnomaliesAckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Parameters(index = "0", paramLabel = "ID", description = "The alert's id (from 'anomalies list').")
    String id;

    @Option(names = "--store", paramLabel = "FILE",
            description = "Acknowledge in this alert store (alerts.jsonl) instead of through the running service.")
    Path store;

    @Mixin
    AdminApiOptions api;

    @Option(names = "--by", paramLabel = "NAME",
            description = "With --store: who acknowledges (default: the OS user name). The service takes it from your token.")
    String by;

    @Option(names = "--note", paramLabel = "TEXT", description = "Why (at most 1000 characters).")
    String note;

    @Override
    public Integer call() {
        if (store == null) {
            if (by != null) {
                throw new CouldNotRunException("--by is for --store: the service records who acknowledges from the token");
            }
            return throughService();
        }
        if (!java.nio.file.Files.exists(store)) {
            throw new CouldNotRunException("alert store " + store + " does not exist");
        }
        String who = by != null ? by : System.getProperty("user.name", "unknown");
        Optional<AlertRecord> record;
        try {
            record = new JsonLinesAlertStore(store).acknowledge(id, who, note, Clock.systemUTC().instant());
        } catch (IllegalArgumentException e) {
            throw new CouldNotRunException(e.getMessage());
        } catch (IOException e) {
            throw new CouldNotRunException("cannot update alert store " + store + ": " + e.getMessage());
        }
        if (record.isEmpty()) {
            spec.commandLine().getErr().println("portcullis: no alert with id " + id + " in " + store);
            return ExitCode.CHECK_FAILED;
        }
        print(record.get());
        return ExitCode.OK;
    }

    private int throughService() {
        PrintWriter err = spec.commandLine().getErr();
        return AdminApiClient.run(api, err, client -> {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            if (note != null) {
                body.put("note", note);
            }
            JsonNode answer;
            try {
                answer = client.post("/v1/admin/anomalies/" + AdminApiClient.pathSegment(id) + "/ack", body);
            } catch (AdminApiClient.Refused refused) {
                if (refused.status != 404 || !"not_found".equals(refused.error)) {
                    throw refused;
                }
                err.println("portcullis: the service has no alert with id " + id);
                return ExitCode.CHECK_FAILED;
            }
            try {
                print(AnomalyAdmin.fromTree(answer));
            } catch (IllegalArgumentException e) {
                throw new CouldNotRunException("the service answered an alert this CLI cannot read: " + e.getMessage());
            }
            return ExitCode.OK;
        });
    }

    private void print(AlertRecord record) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            out.println(AnomalyAdmin.toJson(record));
        } else {
            AlertRecord.Acknowledgement ack = record.acknowledgement();
            out.println("alert " + id + " acknowledged by " + ack.by() + " at " + ack.at());
        }
    }
}
