package dev.portcullis.cli.audit;

import java.util.List;
import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis audit query}: events by time range, subject, type and outcome. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Print the events that match the filters, in log order.",
            "With --output json: each event's canonical JSON, one per line (input for 'anomalies scan')."})
final class AuditQueryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LogLocation location;

    @Mixin
    EventFilterOptions filters;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "Print at most N events (default: ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new CouldNotRunException("--limit must be at least 1");
        }
        var filter = filters.toFilter();
        try (AuditLogReader reader = location.openReader()) {
            List<LogEntry> found = reader.query(filter, 0, limit);
            EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), output.json());
            found.forEach(printer::print);
            if (!output.json()) {
                spec.commandLine().getErr().println("portcullis: " + found.size() + " event(s)"
                        + (found.size() == limit ? " (limit reached; use --limit)" : ""));
            }
        } catch (AuditException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
        return ExitCode.OK;
    }
}
