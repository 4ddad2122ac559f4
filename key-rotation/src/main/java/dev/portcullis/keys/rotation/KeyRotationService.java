package dev.portcullis.keys.rotation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.catalog.KeyCatalog;
import dev.portcullis.keys.catalog.KeyPurpose;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper.RewrapItem;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper.RewrapResult;

/**
 * Rotates the catalog's Transit keys, re-wraps what was wrapped under their old versions, and then
 * raises their {@code min_decryption_version}, auditing every step.
 *
 * <p>Per key, one run (under the key's {@link LeaseLock}, so that of several instances exactly one
 * works on a key at a time):
 * <ol>
 *   <li>re-read the key from Vault; rotate it if it is due (scheduled run) or asked to (manual);
 *       audit {@code key.rotated};
 *   <li>for a KEK, page through every {@link WrappedKeyRepository}, re-wrap each stored key below
 *       the newest version with Transit batch {@code rewrap} and swap it in (compare-and-set);
 *       audit {@code key.rewrapped} per batch; renew the lease between batches;
 *   <li>raise {@code min_decryption_version} to {@code latest - decryptableVersions + 1}, but only
 *       when the re-wrap completed without failures and a final check finds no stored key below
 *       the new minimum; audit it as {@code key.rotated} with action
 *       {@code set_min_decryption_version}.
 * </ol>
 * Any failure is audited as {@code key.rotation_failed} (with the stage and the
 * {@link KeyException.Reason}) and leaves the key consistent: Transit's rotate is atomic, and the
 * minimum is raised last, so data never becomes unreadable. The progress ({@code rewrappedTo}) is
 * kept in the lock, so the next run, on any instance, finishes the work.
 *
 * <p>The decision to rotate is taken from Vault's own record of when the newest version was
 * created, re-read under the lock: an instance that got the lock just after another one rotated
 * finds the key no longer due.
 *
 * <p>Thread-safe. Audit: if the {@link AuditSink} fails, the {@link AuditException} propagates to
 * the caller after the lock is released; the Vault state is consistent either way.
 */
public final class KeyRotationService {

    /** Lease of a rotation lock unless told otherwise: long enough for a rotation, renewed per batch. */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);
    /** Stored keys re-wrapped per Transit batch request. */
    public static final int DEFAULT_BATCH_SIZE = 100;
    /** How long past its due time a key may go before it is reported overdue. */
    public static final Duration DEFAULT_OVERDUE_GRACE = Duration.ofHours(1);

    private static final Logger LOG = Logger.getLogger(KeyRotationService.class.getName());
    private static final Actor SCHEDULER = Actor.system("key-rotation");

    private final KeyCatalog catalog;
    private final TransitKeyAdmin admin;
    private final VaultTransitKeyWrapper transit;
    private final LeaseLock lock;
    private final AuditSink audit;
    private final Clock clock;
    private final List<WrappedKeyRepository> repositories;
    private final Duration lease;
    private final int batchSize;
    private final Duration overdueGrace;
    private final List<Consumer<String>> rotationListeners = new CopyOnWriteArrayList<>();
    private final Map<String, KeyStatus> lastStatus = new ConcurrentHashMap<>();
    private final Map<String, KeyException> lastReadFailure = new ConcurrentHashMap<>();
    private final KeyRotationMetrics metrics;

    private KeyRotationService(Builder b) {
        this.catalog = b.catalog;
        this.admin = b.admin;
        this.transit = b.transit;
        this.lock = b.lock;
        this.audit = b.audit;
        this.clock = b.clock;
        this.repositories = List.copyOf(b.repositories);
        this.lease = b.lease;
        this.batchSize = b.batchSize;
        this.overdueGrace = b.overdueGrace;
        this.metrics = b.metrics;
    }

    /**
     * A builder. {@code admin} and {@code transit} use the rotation credential (policy
     * {@code portcullis-rotation}); {@code lock} usually is a {@link VaultKvLeaseLock}.
     */
    public static Builder builder(KeyCatalog catalog, TransitKeyAdmin admin, VaultTransitKeyWrapper transit,
            LeaseLock lock, AuditSink audit) {
        return new Builder(catalog, admin, transit, lock, audit);
    }

    public KeyCatalog catalog() {
        return catalog;
    }

    /**
     * Calls {@code listener} with the key's name after each rotation done by this instance (e.g.
     * {@code DataKeyCache::invalidate}).
     */
    public void onRotation(Consumer<String> listener) {
        rotationListeners.add(Objects.requireNonNull(listener, "listener cannot be null"));
    }

    /** Why a run was made. */
    private enum Trigger {
        SCHEDULE("schedule"), MANUAL_ROTATE("manual"), MANUAL_REWRAP("manual-rewrap");

        final String label;

        Trigger(String label) {
            this.label = label;
        }
    }

    /**
     * The scheduler's entry point: rotates {@code name} if it is due, or finishes an earlier
     * rotation's re-wrap and minimum raise; otherwise does nothing (without taking the lock).
     * Failures are audited and returned as {@link RotationOutcome#FAILED}, never thrown (except an
     * audit failure).
     */
    public RotationOutcome rotateIfDue(String name) {
        ManagedKey key = catalog.require(name);
        if (!key.purpose().isTransit()) {
            return RotationOutcome.NOT_DUE;
        }
        try {
            KeyStatus status = status(key);
            boolean due = !status.nextRotation().isAfter(clock.instant());
            if (!due && status.pending() == null) {
                return RotationOutcome.NOT_DUE; // the common case: no lock taken, nothing written
            }
        } catch (KeyException e) {
            auditFailure(key, SCHEDULER, "read", e);
            return RotationOutcome.FAILED;
        }
        try {
            return run(key, Trigger.SCHEDULE, SCHEDULER, RewrapProgress.NONE).outcome;
        } catch (KeyException e) {
            return RotationOutcome.FAILED; // already audited in run()
        }
    }

    /**
     * Rotates {@code name} now (an administrator's request), then re-wraps and raises the minimum.
     *
     * @throws KeyException when a step failed (audited), or CONFLICT when another instance holds the lock
     */
    public RotationOutcome rotateNow(String name, Actor actor) {
        ManagedKey key = requireTransit(name);
        RotationOutcome outcome = run(key, Trigger.MANUAL_ROTATE, actorOrSystem(actor), RewrapProgress.NONE).outcome;
        if (outcome == RotationOutcome.LOCKED_ELSEWHERE) {
            throw new KeyException(Reason.CONFLICT, "a rotation of " + name + " is running right now (on this or another instance); try again shortly");
        }
        return outcome;
    }

    /**
     * Re-wraps every stored key of {@code name} below its newest version, then raises the minimum
     * (an administrator's request, e.g. after adding a repository), reporting progress per batch.
     */
    public RewrapReport rewrapNow(String name, Actor actor, RewrapProgress progress) {
        ManagedKey key = requireTransit(name);
        Run run = run(key, Trigger.MANUAL_REWRAP, actorOrSystem(actor), Objects.requireNonNull(progress, "progress cannot be null"));
        if (run.outcome == RotationOutcome.LOCKED_ELSEWHERE) {
            throw new KeyException(Reason.CONFLICT, "a rotation of " + name + " is running right now (on this or another instance); try again shortly");
        }
        return run.report;
    }

    private ManagedKey requireTransit(String name) {
        ManagedKey key = catalog.require(name);
        if (!key.purpose().isTransit()) {
            throw new KeyException(Reason.REJECTED, name + " is a " + key.purpose().configName()
                    + " key; it is renewed by the PKI renewer, not rotated in Transit");
        }
        return key;
    }

    private static Actor actorOrSystem(Actor actor) {
        return actor == null ? SCHEDULER : actor;
    }

    private record Run(RotationOutcome outcome, RewrapReport report) {
    }

    /** A lease that the re-wrap renews as it goes. */
    private static final class Held {
        Lease lease;
        int rewrappedTo;
    }

    private Run run(ManagedKey key, Trigger trigger, Actor actor, RewrapProgress progress) {
        String name = key.name();
        Held held = new Held();
        String stage = "lock";
        try {
            var acquired = lock.tryAcquire(name, lease);
            if (acquired.isEmpty()) {
                return new Run(RotationOutcome.LOCKED_ELSEWHERE, null);
            }
            held.lease = acquired.get();
            held.rewrappedTo = held.lease.rewrappedTo();

            stage = "read";
            TransitKeyVersions versions = admin.read(name);
            checkType(key, versions);
            boolean rotated = false;
            boolean didWork = false;
            Instant now = clock.instant();
            boolean due = !key.schedule().nextRotation(name, versions.latestVersion(), versions.latestCreated()).isAfter(now);
            if (trigger == Trigger.MANUAL_ROTATE || (trigger == Trigger.SCHEDULE && due)) {
                stage = "rotate";
                int from = versions.latestVersion();
                versions = admin.rotate(name);
                rotated = true;
                append(event(EventType.KEY_ROTATED, key, actor, "rotate", Outcome.SUCCESS)
                        .attribute("trigger", trigger.label)
                        .attribute("from_version", from)
                        .attribute("to_version", versions.latestVersion())
                        .build());
                for (Consumer<String> listener : rotationListeners) {
                    try {
                        listener.accept(name);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "a rotation listener failed for " + name, e);
                    }
                }
            }

            RewrapReport report = null;
            if (key.purpose() == KeyPurpose.FIELD_ENCRYPTION_KEK) {
                if (held.rewrappedTo < versions.latestVersion() || trigger == Trigger.MANUAL_REWRAP) {
                    stage = "rewrap";
                    report = rewrapAll(key, versions.latestVersion(), held, actor, progress);
                    didWork = true;
                    if (report.complete()) {
                        held.rewrappedTo = versions.latestVersion();
                    }
                }
            } else {
                held.rewrappedTo = versions.latestVersion(); // signing keys: nothing is wrapped under them
            }

            int target = key.targetMinDecryptionVersion(versions.latestVersion());
            if (target > versions.minDecryptionVersion()) {
                stage = "min_decryption_version";
                String blocker = minRaiseBlocker(key, held.rewrappedTo, versions.latestVersion(), target);
                if (blocker != null) {
                    throw new KeyException(Reason.REJECTED, "not raising min_decryption_version of " + name
                            + " to " + target + ": " + blocker);
                }
                // The re-wrap may have taken long: prove the lock is still ours (a CAS renew) and
                // decide on what Vault says now, so that a stale run can never lower the minimum.
                held.lease = lock.renew(held.lease, lease, held.rewrappedTo);
                TransitKeyVersions current = admin.read(name);
                if (current.latestVersion() != versions.latestVersion()) {
                    throw new KeyException(Reason.CONFLICT, name + " was rotated to v" + current.latestVersion()
                            + " by someone else during this run (v" + versions.latestVersion() + ")");
                }
                if (target > current.minDecryptionVersion()) {
                    admin.setMinDecryptionVersion(name, target);
                    didWork = true;
                    append(event(EventType.KEY_ROTATED, key, actor, "set_min_decryption_version", Outcome.SUCCESS)
                            .attribute("trigger", trigger.label)
                            .attribute("from_version", current.minDecryptionVersion())
                            .attribute("to_version", target)
                            .build());
                }
            }
            if (metrics != null) {
                metrics.rotationRun(name, rotated ? RotationOutcome.ROTATED : didWork ? RotationOutcome.COMPLETED : RotationOutcome.NOT_DUE);
            }
            return new Run(rotated ? RotationOutcome.ROTATED : didWork ? RotationOutcome.COMPLETED : RotationOutcome.NOT_DUE, report);
        } catch (KeyException e) {
            auditFailure(key, actor, stage, e);
            if (metrics != null) {
                metrics.rotationRun(name, RotationOutcome.FAILED);
            }
            throw e;
        } finally {
            if (held.lease != null) {
                lock.release(held.lease, held.rewrappedTo);
            }
            refreshStatusQuietly(key);
        }
    }

    private void checkType(ManagedKey key, TransitKeyVersions versions) {
        if (!key.type().vaultName().equals(versions.type())) {
            throw new KeyException(Reason.MISCONFIGURED, "the catalog says " + key.name() + " is "
                    + key.type().vaultName() + " but Vault says it is " + versions.type());
        }
    }

    /** Why the minimum may not be raised yet, or null when it may. */
    private String minRaiseBlocker(ManagedKey key, int rewrappedTo, int latest, int target) {
        if (key.purpose() != KeyPurpose.FIELD_ENCRYPTION_KEK) {
            return null;
        }
        if (repositories.isEmpty()) {
            return "no WrappedKeyRepository is registered, so nothing proves that stored data keys were re-wrapped";
        }
        if (rewrappedTo < latest) {
            return "the re-wrap to v" + latest + " is not complete";
        }
        for (WrappedKeyRepository repository : repositories) {
            List<StoredWrappedKey> left = repository.findWrappedBelow(key.name(), target, null, 1);
            if (!left.isEmpty()) {
                return repository.name() + " still holds " + left.get(0).id() + " under v" + left.get(0).wrapped().kekVersion();
            }
        }
        return null;
    }

    private RewrapReport rewrapAll(ManagedKey key, int latest, Held held, Actor actor, RewrapProgress progress) {
        String name = key.name();
        long total = 0;
        for (WrappedKeyRepository repository : repositories) {
            long count = countQuietly(repository, name, latest);
            total = count < 0 || total < 0 ? -1 : total + count;
        }
        long rewrapped = 0;
        long changed = 0;
        long failed = 0;
        int batches = 0;
        for (WrappedKeyRepository repository : repositories) {
            String after = null;
            while (true) {
                List<StoredWrappedKey> page = repository.findWrappedBelow(name, latest, after, batchSize);
                if (page.isEmpty()) {
                    break;
                }
                held.lease = lock.renew(held.lease, lease, held.rewrappedTo);
                List<RewrapItem> items = new ArrayList<>(page.size());
                for (StoredWrappedKey stored : page) {
                    items.add(new RewrapItem(stored.wrapped(), stored.associatedData()));
                }
                List<RewrapResult> results = transit.rewrapBatch(name, items);
                long batchRewrapped = 0;
                long batchChanged = 0;
                long batchFailed = 0;
                for (int i = 0; i < page.size(); i++) {
                    RewrapResult result = results.get(i);
                    StoredWrappedKey stored = page.get(i);
                    if (!result.ok()) {
                        batchFailed++;
                        LOG.warning("re-wrap of " + stored.id() + " in " + repository.name() + " under " + name
                                + " failed: " + result.failure().getMessage());
                    } else if (repository.replace(stored.id(), stored.wrapped(), result.rewrapped())) {
                        batchRewrapped++;
                    } else {
                        batchChanged++;
                    }
                }
                batches++;
                rewrapped += batchRewrapped;
                changed += batchChanged;
                failed += batchFailed;
                append(event(EventType.KEY_REWRAPPED, key, actor, "rewrap", batchFailed == 0 ? Outcome.SUCCESS : Outcome.FAILURE)
                        .attribute("repository", repository.name())
                        .attribute("batch", batches)
                        .attribute("items", page.size())
                        .attribute("rewrapped", batchRewrapped)
                        .attribute("changed_concurrently", batchChanged)
                        .attribute("failed", batchFailed)
                        .attribute("to_version", latest)
                        .build());
                if (metrics != null) {
                    metrics.rewrapped(name, batchRewrapped, batchFailed);
                }
                progress.onBatch(rewrapped + changed, failed, total);
                after = page.get(page.size() - 1).id();
            }
        }
        return new RewrapReport(name, latest, rewrapped, changed, failed, batches);
    }

    private static long countQuietly(WrappedKeyRepository repository, String name, int latest) {
        if (repository instanceof CountingRepository counting) {
            return counting.countWrappedBelow(name, latest);
        }
        return -1;
    }

    /** A repository that can also count what it would return (for progress bars). */
    public interface CountingRepository extends WrappedKeyRepository {
        long countWrappedBelow(String kekName, int belowVersion);
    }

    // --- status, health -------------------------------------------------------------------------

    /** The key's status, read from Vault now (and remembered for metrics and health). */
    public KeyStatus status(String name) {
        return status(requireTransit(name));
    }

    private KeyStatus status(ManagedKey key) {
        try {
            TransitKeyVersions versions = admin.read(key.name());
            checkType(key, versions);
            int rewrappedTo = key.purpose() == KeyPurpose.FIELD_ENCRYPTION_KEK ? lock.rewrappedTo(key.name()) : versions.latestVersion();
            Instant now = clock.instant();
            Instant created = versions.latestCreated();
            Instant next = key.schedule().nextRotation(key.name(), versions.latestVersion(), created);
            boolean overdue = now.isAfter(next.plus(overdueGrace));
            String pending = null;
            if (rewrappedTo < versions.latestVersion()) {
                pending = "re-wrap to v" + versions.latestVersion() + " not complete (done to v" + rewrappedTo + ")";
            } else if (key.targetMinDecryptionVersion(versions.latestVersion()) > versions.minDecryptionVersion()) {
                pending = "min_decryption_version " + versions.minDecryptionVersion() + " below target "
                        + key.targetMinDecryptionVersion(versions.latestVersion());
            }
            KeyStatus status = new KeyStatus(key, versions.latestVersion(), versions.minDecryptionVersion(), created,
                    Duration.between(created, now), next, overdue, rewrappedTo, pending);
            lastStatus.put(key.name(), status);
            lastReadFailure.remove(key.name());
            return status;
        } catch (KeyException e) {
            lastReadFailure.put(key.name(), e);
            throw e;
        }
    }

    /** The status of every Transit key of the catalog, read from Vault now. */
    public List<KeyStatus> statusAll() {
        List<KeyStatus> out = new ArrayList<>();
        for (ManagedKey key : catalog.keys()) {
            if (key.purpose().isTransit()) {
                out.add(status(key));
            }
        }
        return out;
    }

    private void refreshStatusQuietly(ManagedKey key) {
        try {
            status(key);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "could not refresh the status of " + key.name(), e);
        }
    }

    /** The last status read of each key (for gauges), without calling Vault. */
    public Map<String, KeyStatus> lastStatus() {
        return Map.copyOf(lastStatus);
    }

    /** Health from the last statuses: overdue keys and keys whose state could not be read. */
    public KeyHealth health() {
        Instant now = clock.instant();
        Map<String, String> problems = new java.util.TreeMap<>();
        for (ManagedKey key : catalog.keys()) {
            if (!key.purpose().isTransit()) {
                continue;
            }
            KeyException failure = lastReadFailure.get(key.name());
            KeyStatus status = lastStatus.get(key.name());
            if (failure != null) {
                problems.put(key.name(), "cannot read the key from Vault: " + failure.reason());
            } else if (status == null) {
                problems.put(key.name(), "not checked yet");
            } else if (now.isAfter(status.nextRotation().plus(overdueGrace))) {
                problems.put(key.name(), "overdue: was due at " + status.nextRotation());
            }
        }
        KeyHealth.Status overall = problems.isEmpty() ? KeyHealth.Status.UP
                : lastReadFailure.isEmpty() ? KeyHealth.Status.WARNING : KeyHealth.Status.DOWN;
        return new KeyHealth(overall, problems);
    }

    // --- audit --------------------------------------------------------------------------------------

    private AuditEvent.Builder event(EventType type, ManagedKey key, Actor actor, String action, Outcome outcome) {
        return AuditEvent.builder(type, clock.instant())
                .actor(actor)
                .action(action)
                .resource(key.name())
                .outcome(outcome)
                .attribute("purpose", key.purpose().configName())
                .attribute("key_type", key.type().vaultName());
    }

    private void auditFailure(ManagedKey key, Actor actor, String stage, KeyException e) {
        try {
            append(event(EventType.KEY_ROTATION_FAILED, key, actor, "rotate", Outcome.FAILURE)
                    .reason(e.reason().name().toLowerCase(Locale.ROOT))
                    .attribute("stage", stage)
                    .attribute("error", e.getMessage())
                    .build());
        } catch (AuditException auditFailure) {
            e.addSuppressed(auditFailure);
            LOG.log(Level.SEVERE, "could not audit the failed rotation of " + key.name(), auditFailure);
        }
    }

    private void append(AuditEvent event) {
        audit.append(event);
    }

    /** Builds a {@link KeyRotationService}. */
    public static final class Builder {
        private final KeyCatalog catalog;
        private final TransitKeyAdmin admin;
        private final VaultTransitKeyWrapper transit;
        private final LeaseLock lock;
        private final AuditSink audit;
        private Clock clock = Clock.systemUTC();
        private final List<WrappedKeyRepository> repositories = new ArrayList<>();
        private Duration lease = DEFAULT_LEASE;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration overdueGrace = DEFAULT_OVERDUE_GRACE;
        private KeyRotationMetrics metrics;

        private Builder(KeyCatalog catalog, TransitKeyAdmin admin, VaultTransitKeyWrapper transit, LeaseLock lock, AuditSink audit) {
            this.catalog = Objects.requireNonNull(catalog, "catalog cannot be null");
            this.admin = Objects.requireNonNull(admin, "admin cannot be null");
            this.transit = Objects.requireNonNull(transit, "transit cannot be null");
            this.lock = Objects.requireNonNull(lock, "lock cannot be null");
            this.audit = Objects.requireNonNull(audit, "audit cannot be null");
        }

        /** Default {@link Clock#systemUTC()}; due times and ages are read from it. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        /** A store whose wrapped keys are re-wrapped after each KEK rotation (several allowed). */
        public Builder repository(WrappedKeyRepository repository) {
            repositories.add(Objects.requireNonNull(repository, "repository cannot be null"));
            return this;
        }

        /** Default {@link #DEFAULT_LEASE}. */
        public Builder lease(Duration lease) {
            Objects.requireNonNull(lease, "lease cannot be null");
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("lease must be positive, was " + lease);
            }
            this.lease = lease;
            return this;
        }

        /** Default {@link #DEFAULT_BATCH_SIZE}; 1 to 1000. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > 1000) {
                throw new IllegalArgumentException("batchSize must be 1 to 1000, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Default {@link #DEFAULT_OVERDUE_GRACE}. */
        public Builder overdueGrace(Duration overdueGrace) {
            this.overdueGrace = Objects.requireNonNull(overdueGrace, "overdueGrace cannot be null");
            return this;
        }

        /** Optional: counts runs and re-wrapped keys (gauges are bound by {@link KeyRotationMetrics#bind}). */
        public Builder metrics(KeyRotationMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics cannot be null");
            return this;
        }

        public KeyRotationService build() {
            return new KeyRotationService(this);
        }
    }
}
