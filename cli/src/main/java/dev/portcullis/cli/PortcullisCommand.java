package dev.portcullis.cli;

import picocli.AutoComplete.GenerateCompletion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code portcullis} command: the security admin's tool. Each capability is a subcommand group. */
@Command(
        name = "portcullis",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Portcullis: zero-trust authorization, tamper-evident audit, keys and field encryption.",
        subcommands = {
            GenerateCompletion.class,
            dev.portcullis.cli.fields.FieldsCommand.class,
            dev.portcullis.cli.audit.AuditCommand.class,
            dev.portcullis.cli.anomalies.AnomaliesCommand.class,
            dev.portcullis.cli.keys.KeysCommand.class,
            dev.portcullis.cli.scan.ScanCommand.class,
            dev.portcullis.cli.decide.DecideCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  ok: the command did its work and every check passed",
            "  1  a check failed: gate failed, tampering found, access denied",
            "  2  could not run: bad arguments, unreadable input, unreachable server",
            "",
            "Shell completion: source <(portcullis generate-completion)"
        })
public final class PortcullisCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }
}
