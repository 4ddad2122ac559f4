package dev.portcullis.anomaly.online;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.DetectionEngine;
import dev.portcullis.anomaly.Detector;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLogReader;
import dev.portcullis.audit.EntryCursor;
import dev.portcullis.audit.LogEntry;

/**
 * Online detection: follows the live audit log with an {@link EntryCursor} and runs every new
 * entry through a {@link DetectionEngine}, on one daemon thread.
 *
 * <p>Restarts: the position (the index of the next entry to process) is saved in a
 * {@link CheckpointFile} every {@code checkpointEvery} entries, whenever an alert was raised, and
 * when the log is caught up. On start, the detectors' state is rebuilt by replaying up to
 * {@code replayEntries} entries before the saved position <em>with alerts suppressed</em> (they
 * were, or deliberately were not, raised before), and alerting resumes at the saved position: old
 * events are never re-alerted. The few entries between the last save and a crash are processed
 * again; an alert they raise again has the same fingerprint and the alert store keeps it once.
 *
 * <p>Memory is bounded by the detectors' per-entity limits. Time is the events' time; when the log
 * is caught up, the engine is also advanced to the clock's time, so hourly windows close (and the
 * Isolation Forest scores them) even when an entity goes quiet.
 *
 * <p>Latency: an entry is processed as soon as the cursor returns it (the segment reader polls for
 * new entries every 200 ms by default), so an alert follows its triggering event by well under a
 * second plus the dispatch.
 */
public final class OnlineDetection implements AutoCloseable {

    public static final int DEFAULT_REPLAY_ENTRIES = 1_000_000;
    public static final int DEFAULT_CHECKPOINT_EVERY = 10_000;
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(250);

    private static final System.Logger LOG = System.getLogger(OnlineDetection.class.getName());

    /** A snapshot of where online detection is. */
    public record Status(boolean running, long nextIndex, long logSize, long processed, long replayed,
            long malformed, long alerts, Instant lastEventTime, String lastError) {
    }

    private final AuditLogReader log;
    private final CheckpointFile checkpoint;
    private final Consumer<Alert> alerts;
    private final DetectionEngine engine;
    private final Clock clock;
    private final int replayEntries;
    private final int checkpointEvery;
    private final Duration pollTimeout;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong alertCount = new AtomicLong();
    private volatile boolean replaying;
    private volatile boolean stop;
    private volatile long nextIndex = -1;
    private volatile Instant lastEventTime;
    private volatile String lastError;
    private Thread thread;
    private boolean alertSinceSave;
    private long sinceSave;

    private OnlineDetection(Builder b) {
        this.log = b.log;
        this.checkpoint = new CheckpointFile(b.checkpointFile, b.log.origin());
        this.alerts = b.alerts;
        this.clock = b.clock;
        this.replayEntries = b.replayEntries;
        this.checkpointEvery = b.checkpointEvery;
        this.pollTimeout = b.pollTimeout;
        this.engine = new DetectionEngine(b.detectors, alert -> {
            if (!replaying) {
                alertCount.incrementAndGet();
                alertSinceSave = true;
                alerts.accept(alert);
            }
        });
    }

    public static Builder builder(AuditLogReader log, List<Detector> detectors, Consumer<Alert> alerts,
            java.nio.file.Path checkpointFile) {
        return new Builder(log, detectors, alerts, checkpointFile);
    }

    /**
     * Loads the checkpoint, replays the entries before it with alerts suppressed, and starts following
     * the log on a daemon thread.
     *
     * @throws IOException if the checkpoint cannot be read or belongs to another log
     */
    public synchronized void start() throws IOException {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        long start = checkpoint.load().orElse(0L);
        long size = log.size();
        if (start > size) {
            throw new IOException("checkpoint " + checkpoint.file() + " is at entry " + start + " but the log has only "
                    + size + " entries; was the log replaced?");
        }
        replay(Math.max(0, start - replayEntries), start);
        nextIndex = start;
        thread = Thread.ofPlatform().daemon().name("portcullis-anomaly-online").start(this::follow);
    }

    private void replay(long from, long to) {
        replaying = true;
        try {
            long position = from;
            while (position < to) {
                List<LogEntry> chunk = log.read(position, (int) Math.min(4096, to - position));
                if (chunk.isEmpty()) {
                    break;
                }
                for (LogEntry entry : chunk) {
                    process(entry);
                    replayed.incrementAndGet();
                }
                position += chunk.size();
            }
        } finally {
            replaying = false;
        }
    }

    private void follow() {
        long lastIdleAdvance = 0;
        while (!stop) {
            try (EntryCursor cursor = log.follow(nextIndex)) {
                while (!stop) {
                    Optional<LogEntry> next = cursor.next(pollTimeout);
                    if (next.isPresent()) {
                        LogEntry entry = next.get();
                        process(entry);
                        processed.incrementAndGet();
                        nextIndex = entry.index() + 1;
                        sinceSave++;
                        if (alertSinceSave || sinceSave >= checkpointEvery) {
                            save();
                        }
                    } else {
                        if (sinceSave > 0) {
                            save();
                        }
                        long now = clock.millis();
                        Instant last = lastEventTime;
                        if (now - lastIdleAdvance >= 1000 && last != null && now > last.toEpochMilli()) {
                            lastIdleAdvance = now;
                            engine.advanceTo(Instant.ofEpochMilli(now));
                            if (alertSinceSave) {
                                save();
                            }
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (AuditException | IOException e) {
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.log(System.Logger.Level.ERROR, "online anomaly detection cannot read the audit log; retrying in 1 s: "
                        + lastError);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            save();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot save the online detection checkpoint: " + e.getMessage());
        }
    }

    private void process(LogEntry entry) {
        AuditEvent event;
        try {
            event = entry.event();
        } catch (AuditException e) {
            malformed.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "skipping audit log entry " + entry.index() + ": " + e.getMessage());
            return;
        }
        engine.process(event);
        lastEventTime = event.time();
    }

    private void save() throws IOException {
        checkpoint.save(nextIndex, clock.instant());
        sinceSave = 0;
        alertSinceSave = false;
    }

    public Status status() {
        Thread t = thread;
        return new Status(t != null && t.isAlive(), nextIndex, log.size(), processed.get(), replayed.get(),
                malformed.get(), alertCount.get(), lastEventTime, lastError);
    }

    /** Stops following, saves the position and waits up to five seconds for the thread to end. */
    @Override
    public synchronized void close() {
        stop = true;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Configures {@link OnlineDetection}; every setting but the collaborators has a documented default. */
    public static final class Builder {
        private final AuditLogReader log;
        private final List<Detector> detectors;
        private final Consumer<Alert> alerts;
        private final java.nio.file.Path checkpointFile;
        private Clock clock = Clock.systemUTC();
        private int replayEntries = DEFAULT_REPLAY_ENTRIES;
        private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;

        private Builder(AuditLogReader log, List<Detector> detectors, Consumer<Alert> alerts,
                java.nio.file.Path checkpointFile) {
            this.log = Objects.requireNonNull(log, "log cannot be null");
            this.detectors = List.copyOf(Objects.requireNonNull(detectors, "detectors cannot be null"));
            this.alerts = Objects.requireNonNull(alerts, "alerts cannot be null");
            this.checkpointFile = Objects.requireNonNull(checkpointFile, "checkpointFile cannot be null");
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        /** Entries before the checkpoint replayed silently on start to rebuild state (default 1,000,000). */
        public Builder replayEntries(int entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("replayEntries cannot be negative");
            }
            this.replayEntries = entries;
            return this;
        }

        public Builder checkpointEvery(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("checkpointEvery must be at least 1");
            }
            this.checkpointEvery = entries;
            return this;
        }

        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = Objects.requireNonNull(timeout, "timeout cannot be null");
            return this;
        }

        public OnlineDetection build() {
            return new OnlineDetection(this);
        }
    }
}
