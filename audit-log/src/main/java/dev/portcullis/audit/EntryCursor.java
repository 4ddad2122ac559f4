package dev.portcullis.audit;

import java.time.Duration;
import java.util.Optional;

/**
 * Follows an audit log from a position, in order, without gaps: what {@code audit tail --follow}
 * and the online anomaly detectors read. Not thread-safe: one reader per cursor.
 */
public interface EntryCursor extends AutoCloseable {

    /** The index of the entry {@link #next} returns next. */
    long position();

    /**
     * The next entry, waiting up to {@code timeout} for it to be appended.
     *
     * @return empty when none arrived in time
     * @throws InterruptedException if interrupted while waiting
     * @throws AuditException if the log cannot be read or was closed
     */
    Optional<LogEntry> next(Duration timeout) throws InterruptedException;

    @Override
    void close();
}
