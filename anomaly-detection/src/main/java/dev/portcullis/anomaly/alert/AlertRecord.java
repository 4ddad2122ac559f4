package dev.portcullis.anomaly.alert;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

import dev.portcullis.anomaly.Alert;

/**
 * An alert as kept in the alert store: the alert, its id (the id of the {@code anomaly.detected}
 * audit event that recorded it), when it was detected, and its acknowledgement if any.
 */
public record AlertRecord(String id, Instant detectedAt, Alert alert, Acknowledgement acknowledgement) {

    /** Who acknowledged an alert, when, and optionally why. */
    public record Acknowledgement(String by, Instant at, String note) {
        public Acknowledgement {
            Objects.requireNonNull(by, "by cannot be null");
            at = Objects.requireNonNull(at, "at cannot be null").truncatedTo(ChronoUnit.MILLIS);
        }
    }

    public AlertRecord {
        Objects.requireNonNull(id, "id cannot be null");
        detectedAt = Objects.requireNonNull(detectedAt, "detectedAt cannot be null").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(alert, "alert cannot be null");
    }

    public boolean acknowledged() {
        return acknowledgement != null;
    }

    public Optional<Acknowledgement> ack() {
        return Optional.ofNullable(acknowledgement);
    }

    public AlertRecord withAcknowledgement(Acknowledgement ack) {
        return new AlertRecord(id, detectedAt, alert, ack);
    }

    /**
     * What makes two alerts the same finding: detector, entity, start and first evidence event. A
     * store keeps one record per fingerprint, so an alert raised again after a restart (for events
     * between the last checkpoint and the crash) is not stored twice.
     */
    public static String fingerprint(Alert alert) {
        return alert.detector() + "|" + alert.entity().key() + "|" + alert.start().toEpochMilli() + "|"
                + alert.eventIds().getFirst();
    }
}
