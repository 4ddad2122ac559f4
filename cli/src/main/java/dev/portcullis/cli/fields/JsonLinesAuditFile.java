package dev.portcullis.cli.fields;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.json.AuditEventJson;

/**
 * An {@link AuditSink} that appends each event as one line of contract JSON to a file, under an
 * exclusive lock, forced to disk before it returns: the hand-off that {@code portcullis audit
 * import} reads into the tamper-evident log.
 */
final class JsonLinesAuditFile implements AuditSink {

    private final Path file;
    private final AuditEventJson json = new AuditEventJson();

    JsonLinesAuditFile(Path file) {
        this.file = Objects.requireNonNull(file, "file cannot be null");
    }

    @Override
    public void append(AuditEvent event) {
        byte[] line = (json.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
                    FileLock lock = channel.lock()) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
        } catch (IOException e) {
            throw new AuditException("cannot append the audit event to " + file + ": " + e.getMessage(), e);
        }
    }
}
