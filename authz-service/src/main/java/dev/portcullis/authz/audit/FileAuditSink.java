package dev.portcullis.authz.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.json.AuditEventJson;

/**
 * An append-only JSON-lines audit file: one event per line, forced to stable storage
 * ({@code fdatasync}) before {@link #append} returns. The interim sink until the Merkle log of the
 * audit-log module is wired in; it is durable but not tamper-evident.
 */
public final class FileAuditSink implements AuditSink, AutoCloseable {

    private final FileChannel channel;
    private final AuditEventJson json;
    private final ReentrantLock lock = new ReentrantLock();

    public FileAuditSink(Path file, AuditEventJson json) throws IOException {
        Objects.requireNonNull(file, "file cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @Override
    public void append(AuditEvent event) {
        ByteBuffer line = ByteBuffer.wrap((json.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8));
        lock.lock();
        try {
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new AuditException("cannot write the audit file: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
