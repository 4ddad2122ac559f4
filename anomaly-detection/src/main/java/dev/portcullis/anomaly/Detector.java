package dev.portcullis.anomaly;

import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

import dev.portcullis.audit.AuditEvent;

/**
 * One explainable detector over the audit event stream. A detector keeps bounded per-entity state,
 * reads time only from the events it is given (so the same input always gives the same alerts,
 * offline or online), and reports what it finds to the consumer it is handed.
 *
 * <p>Implementations are not thread-safe: the {@link DetectionEngine} calls them from one thread,
 * in event order.
 */
public interface Detector {

    /** The stable name in alerts and metric labels, e.g. {@code credential-stuffing}. */
    String name();

    /** Looks at one event; calls {@code alerts} for each anomaly it completes. */
    void observe(AuditEvent event, Consumer<Alert> alerts);

    /**
     * Tells the detector that the stream has reached {@code now}: windows that ended before it are
     * closed (possibly raising alerts) and idle state is evicted. Called by the engine as event time
     * advances and at the end of an offline input.
     */
    default void advanceTo(Instant now, Consumer<Alert> alerts) {
    }

    /** How many entities this detector holds state for right now. */
    int trackedEntities();

    /** The effective thresholds, by their configuration key, for documentation and evaluation. */
    Map<String, String> thresholds();
}
