package dev.portcullis.cli.audit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code portcullis audit}: the tamper-evident audit log, offline from its directory. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = {
            "The tamper-evident audit log: import events, print and verify signed checkpoints,",
            "query, follow, prove inclusion, export for SIEMs."},
        subcommands = {
            AuditImportCommand.class,
            AuditCheckpointCommand.class,
            AuditVerifyCommand.class,
            AuditQueryCommand.class,
            AuditTailCommand.class,
            AuditProofCommand.class,
            AuditExportCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  ok",
            "  1  verify found tampering (the first bad index and the evidence are printed)",
            "  2  could not run: bad arguments, malformed input (the line is named), unreadable log"})
public final class AuditCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "an audit command is required");
    }
}
