package dev.portcullis.keys.rotation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.portcullis.keys.catalog.ManagedKey;

/**
 * Checks every Transit key of the catalog at a fixed interval and lets the
 * {@link KeyRotationService} rotate the ones that are due (and finish unfinished work). The due
 * time itself comes from each key's {@link dev.portcullis.keys.catalog.RotationSchedule} (period or
 * cron, with jitter); the interval only bounds how late a rotation can start. A failing key never
 * stops the others; its failure is audited by the service and retried at the next tick.
 */
public final class RotationScheduler implements AutoCloseable {

    /** Check interval unless told otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = Logger.getLogger(RotationScheduler.class.getName());

    private final KeyRotationService service;
    private final Duration interval;
    private ScheduledExecutorService executor;

    public RotationScheduler(KeyRotationService service) {
        this(service, DEFAULT_INTERVAL);
    }

    public RotationScheduler(KeyRotationService service, Duration interval) {
        this.service = Objects.requireNonNull(service, "service cannot be null");
        this.interval = Objects.requireNonNull(interval, "interval cannot be null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
    }

    /** One pass over the catalog now; returns each Transit key's outcome. */
    public Map<String, RotationOutcome> tick() {
        Map<String, RotationOutcome> outcomes = new LinkedHashMap<>();
        for (ManagedKey key : service.catalog().keys()) {
            if (!key.purpose().isTransit()) {
                continue;
            }
            try {
                outcomes.put(key.name(), service.rotateIfDue(key.name()));
            } catch (RuntimeException e) {
                // An audit failure (or a bug): log it loudly and carry on with the other keys.
                LOG.log(Level.SEVERE, "rotation check of " + key.name() + " failed", e);
                outcomes.put(key.name(), RotationOutcome.FAILED);
            }
        }
        return outcomes;
    }

    /** Starts ticking on a daemon thread, first after one interval. */
    public synchronized void start() {
        if (executor != null) {
            throw new IllegalStateException("already started");
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-key-rotation");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
