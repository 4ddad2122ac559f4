package dev.portcullis.audit.storage.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.tree.CompactRange;

/**
 * A log's signed checkpoints: signs the tree its writer last published when no checkpoint covers
 * it yet, has the store persist the signed note, and remembers the latest one. Signing is
 * serialized; a signer may take a network round trip, so it is never done once per append.
 */
public final class CheckpointKeeper {

    /** Where a log keeps its checkpoints. */
    @FunctionalInterface
    public interface Store {
        /**
         * Persists {@code signed}; it becomes the latest checkpoint only when this returns.
         *
         * @throws AuditException if it cannot
         */
        void persist(SignedCheckpoint signed);
    }

    private final String origin;
    private final CheckpointSigner signer;
    private final Supplier<CompactRange> tree;
    private final Runnable flush;
    private final Store store;
    private final Object signing = new Object();
    private volatile SignedCheckpoint latest;
    /** Signs checkpoints on a schedule once {@link #schedule} was called. */
    private ScheduledExecutorService scheduler;

    /**
     * Checkpoints of the log {@code origin} over {@code tree} (what is durable), signed by
     * {@code signer} and persisted by {@code store}; {@code flush} runs before each signing, for a
     * log that acknowledges entries before they are durable.
     */
    public CheckpointKeeper(String origin, CheckpointSigner signer, Supplier<CompactRange> tree, Runnable flush,
            Store store) {
        this.origin = Objects.requireNonNull(origin, "origin cannot be null");
        this.signer = Objects.requireNonNull(signer, "signer cannot be null");
        this.tree = Objects.requireNonNull(tree, "tree cannot be null");
        this.flush = Objects.requireNonNull(flush, "flush cannot be null");
        this.store = Objects.requireNonNull(store, "store cannot be null");
    }

    /**
     * Checks a checkpoint interval setting.
     *
     * @throws IllegalArgumentException if it is under 10 ms
     */
    public static void checkInterval(Duration interval) {
        if (interval.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("checkpointInterval must be at least 10 ms, was " + interval);
        }
    }

    /** Takes {@code stored}, found and checked against the entries when the log was opened, as the latest. */
    public void restore(SignedCheckpoint stored) {
        latest = stored;
    }

    /** The latest checkpoint signed or restored, if any. */
    public Optional<SignedCheckpoint> latest() {
        return Optional.ofNullable(latest);
    }

    /** Whether no checkpoint covers the first {@code size} entries yet. */
    public boolean isBehind(long size) {
        SignedCheckpoint current = latest;
        return current == null || current.checkpoint().size() < size;
    }

    /**
     * Signs and persists a checkpoint of the published tree, or returns the latest one if it
     * already covers that tree.
     *
     * @throws AuditException if signing or persisting failed
     */
    public SignedCheckpoint checkpoint() {
        flush.run();
        synchronized (signing) {
            CompactRange at = tree.get();
            SignedCheckpoint current = latest;
            if (current != null && current.checkpoint().size() >= at.size()) {
                return current;
            }
            SignedCheckpoint signed = SignedCheckpoint.sign(new Checkpoint(origin, at.size(), at.rootHash()), signer);
            store.persist(signed);
            latest = signed;
            return signed;
        }
    }

    /**
     * Signs a checkpoint every {@code interval}, on a daemon thread named {@code threadName},
     * whenever the published tree grew and the log has not {@code failed}. A failure is logged to
     * {@code log} and retried at the next run: the entries are durable, only the signature is late.
     * Runs until {@link #stopSchedule}.
     */
    public synchronized void schedule(String threadName, Duration interval, BooleanSupplier failed, System.Logger log) {
        if (scheduler != null) {
            throw new IllegalStateException("checkpoints of " + origin + " are scheduled already");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(threadName).daemon(true).factory());
        long every = interval.toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                if (!failed.getAsBoolean() && isBehind(tree.get().size())) {
                    checkpoint();
                }
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "audit log " + origin + ": signing a checkpoint failed: " + e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the scheduled signing. A checkpoint being signed may finish (interrupting it would
     * close the file channel it writes to), for up to a minute; then it is interrupted.
     */
    public void stopSchedule() {
        ScheduledExecutorService executor;
        synchronized (this) {
            executor = scheduler;
        }
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
