package dev.portcullis.anomaly;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * One anomaly a detector found: which detector, about which entity, over which events, how sure
 * and why, in plain words. Exactly the members of the contract's anomaly alert JSON
 * ({@code shared/contracts/README.md}); {@link dev.portcullis.anomaly.alert.AlertJson} reads and
 * writes it.
 *
 * @param detector the detector's stable name, e.g. {@code credential-stuffing}
 * @param score how anomalous, from 0 (normal) to 1 (certainly anomalous)
 * @param eventIds ids of the audit events that are the evidence (the most recent ones, bounded by
 *     the detector's evidence size); never empty
 * @param explanation one sentence an analyst understands without reading code
 */
public record Alert(
        String detector,
        Severity severity,
        Entity entity,
        Instant start,
        Instant end,
        double score,
        List<String> eventIds,
        String explanation) {

    public Alert {
        Objects.requireNonNull(detector, "detector cannot be null");
        Objects.requireNonNull(severity, "severity cannot be null");
        Objects.requireNonNull(entity, "entity cannot be null");
        start = Objects.requireNonNull(start, "start cannot be null").truncatedTo(ChronoUnit.MILLIS);
        end = Objects.requireNonNull(end, "end cannot be null").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(explanation, "explanation cannot be null");
        eventIds = List.copyOf(Objects.requireNonNull(eventIds, "eventIds cannot be null"));
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("alert end " + end + " is before its start " + start);
        }
        if (!(score >= 0.0 && score <= 1.0)) {
            throw new IllegalArgumentException("score must be within [0, 1], was " + score);
        }
        if (eventIds.isEmpty()) {
            throw new IllegalArgumentException("an alert needs at least one event id as evidence");
        }
    }

    /**
     * An alert over the events between {@code one} and {@code other}, in either order: what
     * detectors build their alerts with. Events reach the log in the order their requests finished,
     * not the order they were received (their {@code time}), so the event that crosses a threshold
     * can be older than the first one of its burst; an alert from it must still be raised (an
     * earlier version threw, dropped the alert and kept the entity muted for the cooldown).
     */
    public static Alert spanning(String detector, Severity severity, Entity entity, Instant one, Instant other,
            double score, List<String> eventIds, String explanation) {
        Instant start = one.isBefore(other) ? one : other;
        Instant end = one.isBefore(other) ? other : one;
        return new Alert(detector, severity, entity, start, end, score, eventIds, explanation);
    }
}
