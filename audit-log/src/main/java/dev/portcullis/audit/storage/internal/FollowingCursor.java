package dev.portcullis.audit.storage.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.EntryCursor;
import dev.portcullis.audit.LogEntry;

/** An {@link EntryCursor} over any reader, waiting for growth through a {@link SizeWaiter}. */
public final class FollowingCursor implements EntryCursor {

    /** Blocks until the log holds more than {@code size} entries or the timeout passes. */
    @FunctionalInterface
    public interface SizeWaiter {
        void awaitGrowth(long size, Duration timeout) throws InterruptedException;
    }

    private static final int CHUNK = 256;

    private final AuditLogReader reader;
    private final SizeWaiter waiter;
    private final ArrayDeque<LogEntry> buffer = new ArrayDeque<>();
    private long position;
    private boolean closed;

    public FollowingCursor(AuditLogReader reader, long from, SizeWaiter waiter) {
        if (from < 0) {
            throw new IllegalArgumentException("a cursor starts at index 0 or later, not " + from);
        }
        this.reader = reader;
        this.waiter = waiter;
        this.position = from;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public Optional<LogEntry> next(Duration timeout) throws InterruptedException {
        if (closed) {
            throw new AuditException("the cursor is closed");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (buffer.isEmpty()) {
            long size = reader.size();
            long nextToRead = position + buffer.size();
            if (nextToRead < size) {
                buffer.addAll(reader.read(nextToRead, (int) Math.min(CHUNK, size - nextToRead)));
                continue;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Optional.empty();
            }
            waiter.awaitGrowth(nextToRead, Duration.ofNanos(remaining));
        }
        LogEntry entry = buffer.poll();
        position = entry.index() + 1;
        return Optional.of(entry);
    }

    @Override
    public void close() {
        closed = true;
        buffer.clear();
    }
}
