package dev.portcullis.cli.anomalies;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code portcullis anomalies}: anomaly detection over the audit log, offline, plus the alert store. */
@Command(
        name = "anomalies",
        mixinStandardHelpOptions = true,
        description = {
            "Anomaly detection over audit events: scan a JSON-lines file with every detector, simulate",
            "labelled traffic, evaluate the detectors, list and acknowledge stored alerts; list and lift the",
            "blocks the running service's block-list response put in OPA (through its admin API)."},
        subcommands = {
            AnomaliesScanCommand.class,
            AnomaliesSimulateCommand.class,
            AnomaliesEvaluateCommand.class,
            AnomaliesListCommand.class,
            AnomaliesAckCommand.class,
            AnomaliesBlocksCommand.class,
            AnomaliesUnblockCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  ok (scan: no alert; evaluate: every goal met)",
            "  1  scan raised alerts; evaluate missed a goal; ack: no such alert; unblock: no such block;",
            "     blocks, unblock: not allowed",
            "  2  could not run: bad arguments, unreadable input or store"})
public final class AnomaliesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "an anomalies command is required");
    }
}
