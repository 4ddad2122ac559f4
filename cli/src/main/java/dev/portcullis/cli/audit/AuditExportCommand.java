package dev.portcullis.cli.audit;

import java.util.concurrent.Callable;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.EventFilter;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.export.OcsfMapper;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis audit export}: events for a SIEM, as JSON lines or OCSF (docs/audit-log.md has the mapping). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export events for a SIEM on standard output, one JSON object per line:",
            "jsonl (the canonical events as logged) or ocsf (OCSF 1.3.0: API Activity 6003,",
            "Authentication 3002, Detection Finding 2004, Base Event 0 for the rest)."})
final class AuditExportCommand implements Callable<Integer> {

    enum Format { JSONL, OCSF }

    @Spec
    CommandSpec spec;

    @Mixin
    LogLocation location;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "jsonl", description = "jsonl or ocsf (default: ${DEFAULT-VALUE}).")
    Format format;

    @Mixin
    EventFilterOptions filters;

    @Override
    public Integer call() {
        EventFilter filter = filters.toFilter();
        OcsfMapper ocsf = new OcsfMapper();
        var out = spec.commandLine().getOut();
        try (AuditLogReader reader = location.openReader()) {
            long position = 0;
            long size = reader.size();
            while (position < size) {
                var chunk = reader.query(filter, position, 4096);
                if (chunk.isEmpty()) {
                    break;
                }
                for (LogEntry entry : chunk) {
                    out.println(format == Format.OCSF ? ocsf.toJson(entry.event()) : entry.json());
                }
                position = chunk.get(chunk.size() - 1).index() + 1;
            }
            out.flush();
        } catch (AuditException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
        return ExitCode.OK;
    }
}
