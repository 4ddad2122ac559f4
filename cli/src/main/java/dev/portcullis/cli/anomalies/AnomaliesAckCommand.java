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
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis anomalies ack ID}: acknowledges an alert in an alert store. */
@Command(
        name = "ack",
        mixinStandardHelpOptions = true,
        description = {"Acknowledges alert ID in the alert store: appends who and when (and the note), never",
            "rewriting the alert. Acknowledging twice keeps the first acknowledgement. Against a running",
            "service use its admin API instead, which also records the acknowledgement in the audit log."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  acknowledged (or already acknowledged)", "  1  no alert has that id", "  2  could not run"})
public final class AnomaliesAckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Parameters(index = "0", paramLabel = "ID", description = "The alert's id (from 'anomalies list').")
    String id;

    @Option(names = "--store", required = true, paramLabel = "FILE", description = "The alert store (alerts.jsonl).")
    Path store;

    @Option(names = "--by", paramLabel = "NAME", description = "Who acknowledges (default: the OS user name).")
    String by;

    @Option(names = "--note", paramLabel = "TEXT", description = "Why (at most 1000 characters).")
    String note;

    @Override
    public Integer call() {
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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (record.isEmpty()) {
            err.println("portcullis: no alert with id " + id + " in " + store);
            return ExitCode.CHECK_FAILED;
        }
        if (output.json()) {
            out.println(AnomalyAdmin.toJson(record.get()));
        } else {
            AlertRecord.Acknowledgement ack = record.get().acknowledgement();
            out.println("alert " + id + " acknowledged by " + ack.by() + " at " + ack.at());
        }
        return ExitCode.OK;
    }
}
