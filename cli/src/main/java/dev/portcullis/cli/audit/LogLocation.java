package dev.portcullis.cli.audit;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.storage.SegmentFileLogReader;
import dev.portcullis.cli.CouldNotRunException;
import picocli.CommandLine.Option;

/** The {@code --log-dir} option of the commands that read a log. */
final class LogLocation {

    @Option(names = "--log-dir", paramLabel = "DIR", required = true, description = "The audit log directory.")
    Path logDir;

    AuditLogReader openReader() {
        if (!Files.isDirectory(logDir)) {
            throw new CouldNotRunException("log directory " + logDir + " does not exist");
        }
        try {
            return SegmentFileLogReader.open(logDir);
        } catch (AuditException e) {
            throw new CouldNotRunException(e.getMessage(), e);
        }
    }
}
