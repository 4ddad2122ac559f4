package dev.portcullis.audit.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import dev.portcullis.audit.EventFilter;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.storage.internal.LogFiles;

/** Runs a query over segment files, using the event times in the index to skip what cannot match. */
final class TimeIndexedQuery {

    private static final int CHUNK = 4096;

    private TimeIndexedQuery() {
    }

    static List<LogEntry> run(LogFiles files, long size, EventFilter filter, long fromIndex, int maxCount) {
        List<LogEntry> found = new ArrayList<>();
        long position = Math.max(0, fromIndex);
        while (position < size && found.size() < maxCount) {
            int count = (int) Math.min(CHUNK, size - position);
            long[] times = files.eventTimes(position, count);
            for (int i = 0; i < count && found.size() < maxCount; i++) {
                if (filter.since() == null && filter.until() == null
                        || filter.matchesTime(Instant.ofEpochMilli(times[i]))) {
                    LogEntry entry = files.read(position + i, 1).get(0);
                    if (filter.matches(entry.event())) {
                        found.add(entry);
                    }
                }
            }
            position += count;
        }
        return found;
    }

    /**
     * The first entry below {@code size}, in log order, whose event time (epoch milliseconds) is in
     * {@code millis} and that {@code matches} accepts; entries at other times are not read.
     */
    static Optional<LogEntry> findAt(LogFiles files, long size, Set<Long> millis, Predicate<LogEntry> matches) {
        for (long position = 0; position < size; position += CHUNK) {
            int count = (int) Math.min(CHUNK, size - position);
            long[] times = files.eventTimes(position, count);
            for (int i = 0; i < count; i++) {
                if (millis.contains(times[i])) {
                    LogEntry entry = files.read(position + i, 1).get(0);
                    if (matches.test(entry)) {
                        return Optional.of(entry);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
