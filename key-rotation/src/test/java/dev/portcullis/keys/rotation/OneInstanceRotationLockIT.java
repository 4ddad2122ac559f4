package dev.portcullis.keys.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.EventType;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.catalog.KeyCatalog;
import dev.portcullis.keys.catalog.KeyPurpose;
import dev.portcullis.keys.catalog.KeyType;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.catalog.RotationSchedule;
import dev.portcullis.keys.testing.InMemoryWrappedKeyRepository;
import dev.portcullis.keys.testing.RecordingAuditSink;
import dev.portcullis.keys.testing.StackVault;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;

/**
 * The rotation lock against the real OpenBao when the two runs are in one instance (the scheduler
 * and an admin request share the instance's lock): the second run is refused while the first holds
 * the lock, so a key is never rotated twice at once and its minimum never goes down.
 */
class OneInstanceRotationLockIT {

    @Test
    void aLiveLeaseRefusesASecondRunOfItsOwnInstance() {
        StackVault bao = StackVault.require();
        VaultKvLeaseLock lock = new VaultKvLeaseLock(bao.root(), "instance-a", Clock.systemUTC());
        String name = bao.newKek("lock-self");

        Lease first = lock.tryAcquire(name, Duration.ofMinutes(1)).orElseThrow();
        assertThat(lock.tryAcquire(name, Duration.ofMinutes(1))).as("the same instance, a second run").isEmpty();
        VaultKvLeaseLock other = new VaultKvLeaseLock(bao.root(), "instance-b", Clock.systemUTC());
        assertThat(other.tryAcquire(name, Duration.ofMinutes(1))).as("another instance").isEmpty();

        lock.release(first, 0);
        Lease again = lock.tryAcquire(name, Duration.ofMinutes(1)).orElseThrow();
        lock.release(again, 0);
    }

    @Test
    void aLeaseThisInstanceLeftBehindIsTakenOverByItsNextRunButNotByAnotherInstance() {
        StackVault bao = StackVault.require();
        String name = bao.newKek("lock-left");
        VaultKvLeaseLock previousLife = new VaultKvLeaseLock(bao.root(), "instance-a", Clock.systemUTC());
        previousLife.tryAcquire(name, Duration.ofMinutes(5)).orElseThrow(); // never released: a crash

        assertThat(new VaultKvLeaseLock(bao.root(), "instance-b", Clock.systemUTC()).tryAcquire(name, Duration.ofMinutes(1)))
                .isEmpty();
        VaultKvLeaseLock restarted = new VaultKvLeaseLock(bao.root(), "instance-a", Clock.systemUTC());
        restarted.release(restarted.tryAcquire(name, Duration.ofMinutes(1)).orElseThrow(), 0);
    }

    @Test
    void aLockDocumentAnOperatorDeletedIsAFreeLockNotOneHeldForever() {
        StackVault bao = StackVault.require();
        VaultKvLeaseLock lock = new VaultKvLeaseLock(bao.root(), "instance-a", Clock.systemUTC());
        String name = bao.newKek("lock-deleted");
        lock.release(lock.tryAcquire(name, Duration.ofMinutes(1)).orElseThrow(), 3);

        // `bao kv delete portcullis-kv/rotation-locks/<key>`: a soft delete of the latest version,
        // after which Vault answers reads with 404 (and the version) and refuses check-and-set 0.
        bao.root().delete(VaultKvLeaseLock.DEFAULT_MOUNT + "/data/" + VaultKvLeaseLock.DEFAULT_PREFIX + "/" + name);

        Lease taken = lock.tryAcquire(name, Duration.ofMinutes(1)).orElseThrow(() -> new AssertionError("still locked"));
        assertThat(taken.rewrappedTo()).as("the deleted document's progress is gone with it").isZero();
        lock.release(taken, 0);
    }

    @Test
    void anAdminRotationDuringARunningRotationIsAConflictAndTheKeyIsRotatedOnce() throws Exception {
        StackVault bao = StackVault.require();
        String kek = bao.newKek("one-instance");
        ManagedKey key = new ManagedKey(kek, KeyPurpose.FIELD_ENCRYPTION_KEK, KeyType.AES256_GCM96,
                RotationSchedule.parse("P30D", Duration.ZERO), 2);
        VaultClient client = bao.client(VaultAuthentication.token(bao.rootToken()));
        PausingRepository store = new PausingRepository();
        RecordingAuditSink audit = new RecordingAuditSink();
        KeyRotationService service = KeyRotationService.builder(KeyCatalog.of(List.of(key)), new TransitKeyAdmin(client),
                        new VaultTransitKeyWrapper(client), new VaultKvLeaseLock(client, "instance-a", Clock.systemUTC()), audit)
                .repository(store).lease(Duration.ofSeconds(30)).build();
        int before = new TransitKeyAdmin(bao.root()).read(kek).latestVersion();

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RotationOutcome> first = pool.submit(() -> service.rotateNow(kek, Actor.system("scheduler")));
            assertThat(store.paused.await(20, TimeUnit.SECONDS)).as("the first run reached its re-wrap").isTrue();

            assertThatThrownBy(() -> service.rotateNow(kek, Actor.system("admin")))
                    .isInstanceOfSatisfying(KeyException.class, e -> assertThat(e.reason()).isEqualTo(KeyException.Reason.CONFLICT));

            store.resume.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(RotationOutcome.ROTATED);
        } finally {
            store.resume.countDown();
            pool.shutdownNow();
        }
        TransitKeyVersions after = new TransitKeyAdmin(bao.root()).read(kek);
        assertThat(after.latestVersion()).as("rotated once").isEqualTo(before + 1);
        assertThat(audit.ofTypeAndAction(EventType.KEY_ROTATED, "rotate")).hasSize(1);
    }

    /** An empty key store whose first page is held back until {@link #resume}: a long re-wrap in progress. */
    private static final class PausingRepository implements WrappedKeyRepository {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);
        private final InMemoryWrappedKeyRepository empty = new InMemoryWrappedKeyRepository();

        @Override
        public List<StoredWrappedKey> findWrappedBelow(String kekName, int belowVersion, String afterId, int limit) {
            if (first.getAndSet(false)) {
                paused.countDown();
                try {
                    resume.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return empty.findWrappedBelow(kekName, belowVersion, afterId, limit);
        }

        @Override
        public boolean replace(String id, WrappedKey expected, WrappedKey replacement) {
            return empty.replace(id, expected, replacement);
        }
    }
}
