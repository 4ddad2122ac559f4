package dev.portcullis.cli.audit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.EntryCursor;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis audit tail}: the last entries, and with {@code --follow} every new one as it is appended. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Print the last entries of the log; with --follow, keep printing new entries as they",
            "are appended (also while the service writes the log), until interrupted."})
final class AuditTailCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LogLocation location;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10", description = "Start N entries before the end (default: ${DEFAULT-VALUE}).")
    long lines;

    @Option(names = {"-f", "--follow"}, description = "Wait for and print new entries.")
    boolean follow;

    @Option(names = "--max-entries", paramLabel = "N", description = "With --follow: stop after printing N entries in all.")
    Long maxEntries;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws InterruptedException {
        if (lines < 0) {
            throw new CouldNotRunException("--lines cannot be negative");
        }
        try (AuditLogReader reader = location.openReader()) {
            long start = Math.max(0, reader.size() - lines);
            EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), output.json());
            long printed = 0;
            try (EntryCursor cursor = reader.follow(start)) {
                while (maxEntries == null || printed < maxEntries) {
                    if (!follow && cursor.position() >= reader.size()) {
                        break;
                    }
                    Optional<LogEntry> next = cursor.next(follow ? Duration.ofSeconds(1) : Duration.ZERO);
                    if (next.isPresent()) {
                        printer.print(next.get());
                        printed++;
                    } else if (!follow) {
                        break;
                    }
                }
            }
        } catch (AuditException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
        return ExitCode.OK;
    }
}
