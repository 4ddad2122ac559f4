package dev.portcullis.cli;

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
 * An {@link AuditSink} that appends each event as one line of JSON (the audit event contract's
 * export format) to a file, under an exclusive file lock, and forces it to disk before returning.
 * The file and its parent directories are created on the first event.
 *
 * <p>It is not the tamper-evident log: it is the hand-off that {@code portcullis audit import}
 * reads into the Merkle log, used by the commands that run without one ({@code portcullis scan},
 * {@code portcullis fields}). A job that has the log at hand imports the file afterwards.
 */
public final class JsonLinesAuditSink implements AuditSink {

    private final Path file;
    private final AuditEventJson json = new AuditEventJson();

    public JsonLinesAuditSink(Path file) {
        this.file = Objects.requireNonNull(file, "file cannot be null");
    }

    @Override
    public void append(AuditEvent event) throws AuditException {
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
