package dev.portcullis.anomaly;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;

/**
 * Runs every detector over one stream of audit events, in order, and hands their alerts to one
 * consumer. The same engine serves both ways in: offline over a file
 * ({@link dev.portcullis.anomaly.source.JsonLinesEventSource}) and online following the live log
 * ({@link dev.portcullis.anomaly.online.OnlineDetection}).
 *
 * <p>Time is the events' time: the engine tells the detectors how far the stream has got every
 * {@code advanceEvery} of event time, so windows close and idle state is evicted the same way on
 * replay as live. {@code anomaly.detected} events are skipped, so that alerts written back into the
 * audit log never feed the detectors. A detector that throws is counted and skipped for that event;
 * the others still see it.
 *
 * <p>Not thread-safe: one thread feeds an engine.
 */
public final class DetectionEngine {

    /** Default {@code advanceEvery}: closes windows within a minute of event time. */
    public static final Duration DEFAULT_ADVANCE_EVERY = Duration.ofMinutes(1);

    private static final System.Logger LOG = System.getLogger(DetectionEngine.class.getName());

    private final List<Detector> detectors;
    private final Consumer<Alert> alerts;
    private final long advanceEveryMillis;
    private final long[] errors;
    private final Map<String, Long> alertCounts = new LinkedHashMap<>();
    private final Consumer<Alert> counting;
    private long latest = Long.MIN_VALUE;
    private long lastAdvance = Long.MIN_VALUE;
    private long processed;
    private long skipped;

    public DetectionEngine(List<Detector> detectors, Consumer<Alert> alerts) {
        this(detectors, alerts, DEFAULT_ADVANCE_EVERY);
    }

    public DetectionEngine(List<Detector> detectors, Consumer<Alert> alerts, Duration advanceEvery) {
        this.detectors = List.copyOf(Objects.requireNonNull(detectors, "detectors cannot be null"));
        this.alerts = Objects.requireNonNull(alerts, "alerts cannot be null");
        this.advanceEveryMillis = Objects.requireNonNull(advanceEvery, "advanceEvery cannot be null").toMillis();
        if (advanceEveryMillis <= 0) {
            throw new IllegalArgumentException("advanceEvery must be positive");
        }
        this.errors = new long[this.detectors.size()];
        for (Detector d : this.detectors) {
            alertCounts.put(d.name(), 0L);
        }
        this.counting = alert -> {
            alertCounts.merge(alert.detector(), 1L, Long::sum);
            this.alerts.accept(alert);
        };
    }

    /** Runs one event through every detector. */
    public void process(AuditEvent event) {
        if (event.type() == EventType.ANOMALY_DETECTED) {
            skipped++;
            return;
        }
        processed++;
        for (int i = 0; i < detectors.size(); i++) {
            try {
                detectors.get(i).observe(event, counting);
            } catch (RuntimeException e) {
                failed(i, e);
            }
        }
        long t = event.time().toEpochMilli();
        if (t > latest) {
            latest = t;
        }
        if (lastAdvance == Long.MIN_VALUE || lastAdvance - t > advanceEveryMillis) {
            // The first event, or time went back by more than an advance period: one event dated far
            // ahead (an imported file, a clock that jumped) must not stop every later window from
            // closing and every idle entity from being evicted, so the stream's time starts again here.
            lastAdvance = t;
        } else if (t - lastAdvance >= advanceEveryMillis) {
            advanceTo(Instant.ofEpochMilli(t));
        }
    }

    /** Tells every detector the stream has reached {@code now} (closes windows, evicts idle state). */
    public void advanceTo(Instant now) {
        long t = now.toEpochMilli();
        lastAdvance = Math.max(lastAdvance, t);
        for (int i = 0; i < detectors.size(); i++) {
            try {
                detectors.get(i).advanceTo(now, counting);
            } catch (RuntimeException e) {
                failed(i, e);
            }
        }
    }

    /** End of an offline input: closes every open window (windows are at most a day long). */
    public void finish() {
        if (latest != Long.MIN_VALUE) {
            advanceTo(Instant.ofEpochMilli(latest).plus(Duration.ofDays(1)));
        }
    }

    private void failed(int i, RuntimeException e) {
        errors[i]++;
        // The exception type only: a message could quote event values.
        LOG.log(System.Logger.Level.ERROR, "detector " + detectors.get(i).name() + " failed on an event: "
                + e.getClass().getName());
    }

    public List<Detector> detectors() {
        return detectors;
    }

    /** Events run through the detectors. */
    public long processed() {
        return processed;
    }

    /** {@code anomaly.detected} events passed over. */
    public long skipped() {
        return skipped;
    }

    /** Alerts raised so far, by detector name. */
    public Map<String, Long> alertCounts() {
        return Map.copyOf(alertCounts);
    }

    /** Detector failures so far, by detector name. */
    public Map<String, Long> errorCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < detectors.size(); i++) {
            out.put(detectors.get(i).name(), errors[i]);
        }
        return out;
    }

    /** Entities with state, summed over the detectors (an entity tracked by three counts three times). */
    public long trackedEntities() {
        long sum = 0;
        for (Detector d : detectors) {
            sum += d.trackedEntities();
        }
        return sum;
    }
}
