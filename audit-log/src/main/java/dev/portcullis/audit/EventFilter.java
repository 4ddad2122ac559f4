package dev.portcullis.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@code audit query} selects: events in {@code [since, until)} (by their {@code time}),
 * with the given subject, type and outcome; a null member matches everything.
 */
public record EventFilter(Instant since, Instant until, String subject, EventType type, Outcome outcome) {

    /** Matches every event. */
    public static final EventFilter ALL = new EventFilter(null, null, null, null, null);

    public EventFilter {
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since (" + since + ") must be before until (" + until + ")");
        }
    }

    public boolean matches(AuditEvent event) {
        Objects.requireNonNull(event, "event cannot be null");
        return (since == null || !event.time().isBefore(since))
                && (until == null || event.time().isBefore(until))
                && (subject == null || subject.equals(event.actor().subject()))
                && (type == null || type == event.type())
                && (outcome == null || outcome == event.outcome());
    }

    /** Whether an event at {@code time} can match, judging by time alone. */
    public boolean matchesTime(Instant time) {
        return (since == null || !time.isBefore(since)) && (until == null || time.isBefore(until));
    }
}
