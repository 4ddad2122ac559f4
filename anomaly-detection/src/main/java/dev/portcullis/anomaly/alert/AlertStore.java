package dev.portcullis.anomaly.alert;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.portcullis.anomaly.Alert;

/**
 * Where alerts are kept for {@code portcullis anomalies list} and {@code ack} and the service's
 * {@code /v1/admin/anomalies}. Implementations MUST make a record durable before {@link #add}
 * returns, MUST keep one record per {@linkplain AlertRecord#fingerprint fingerprint}, and MUST NOT
 * lose or rewrite a record when acknowledging it.
 */
public interface AlertStore {

    /**
     * Keeps {@code alert} under {@code id}; when a record with the same fingerprint exists, returns
     * that record and keeps nothing new.
     */
    AlertRecord add(String id, Instant detectedAt, Alert alert) throws IOException;

    /** Alerts newest first: unacknowledged only, or all; at most {@code limit}. */
    List<AlertRecord> list(boolean includeAcknowledged, int limit) throws IOException;

    Optional<AlertRecord> get(String id) throws IOException;

    /**
     * Acknowledges alert {@code id}. Acknowledging twice keeps the first acknowledgement.
     *
     * @return the record, acknowledged; empty when no alert has that id
     * @throws IllegalArgumentException when {@code by} or {@code note} is not acceptable
     */
    Optional<AlertRecord> acknowledge(String id, String by, String note, Instant at) throws IOException;
}
