package dev.portcullis.keys.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.EventType;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.SecretBytes;
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
 * The "rotation under load": continuous wrap/store/read/unwrap traffic against the real
 * OpenBao while the KEK is rotated 20 times and re-wrapped each time; not one operation may fail,
 * and data wrapped under version 1 decrypts as it is until min_decryption_version passes it, and
 * from then on through its re-wrapped copy.
 */
class KeyRotationUnderLoadIT {

    private static final int ROTATIONS = 20;
    private static final int TRAFFIC_THREADS = 3;
    /**
     * Spacing between rotations. The repository contract says a writer stores what it wrapped
     * within one rotation period; back-to-back rotations in a test would break that premise for a
     * writer descheduled between its wrap and its store, which is not what this test is about.
     */
    private static final Duration SPACING = Duration.ofMillis(300);

    @Test
    void twentyRotationsUnderContinuousTrafficCauseZeroFailedOperations() throws Exception {
        StackVault bao = StackVault.require();
        String kek = bao.newKek("load");
        ManagedKey managed = new ManagedKey(kek, KeyPurpose.FIELD_ENCRYPTION_KEK, KeyType.AES256_GCM96,
                RotationSchedule.parse("P30D", Duration.ZERO), 2);
        InMemoryWrappedKeyRepository store = new InMemoryWrappedKeyRepository();
        RecordingAuditSink audit = new RecordingAuditSink();
        VaultClient rotationClient = bao.client(VaultAuthentication.token(bao.rootToken()));
        KeyRotationService service = KeyRotationService.builder(KeyCatalog.of(List.of(managed)),
                        new TransitKeyAdmin(rotationClient), new VaultTransitKeyWrapper(rotationClient),
                        new VaultKvLeaseLock(rotationClient, "load-test", Clock.systemUTC()), audit)
                .repository(store).batchSize(25).build();

        // Traffic has its own client, as the service's request path would.
        VaultTransitKeyWrapper traffic = new VaultTransitKeyWrapper(bao.client(VaultAuthentication.token(bao.rootToken())));
        byte[] firstAd = "record:first".getBytes(StandardCharsets.UTF_8);
        SecretBytes firstKey = random();
        WrappedKey firstV1 = traffic.wrap(kek, firstKey, firstAd);
        assertThat(firstV1.kekVersion()).isEqualTo(1);
        store.put("first", firstV1, firstAd);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong operations = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(TRAFFIC_THREADS);
        for (int t = 0; t < TRAFFIC_THREADS; t++) {
            int thread = t;
            pool.submit(() -> {
                long n = 0;
                while (!stop.get()) {
                    String id = "t" + thread + "-" + String.format("%08d", n++);
                    byte[] ad = ("record:" + id).getBytes(StandardCharsets.UTF_8);
                    try (SecretBytes dataKey = random()) {
                        store.put(id, traffic.wrap(kek, dataKey, ad), ad);
                        // Read back what the store holds now (possibly re-wrapped meanwhile).
                        try (SecretBytes back = traffic.unwrap(store.get(id).wrapped(), ad)) {
                            if (!back.equalsConstantTime(dataKey)) {
                                failures.add(new AssertionError(id + " unwrapped to another key"));
                            }
                        }
                        operations.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            });
        }

        long operationsBefore;
        for (int i = 1; i <= ROTATIONS; i++) {
            operationsBefore = operations.get();
            assertThat(service.rotateNow(kek, Actor.system("test"))).isEqualTo(RotationOutcome.ROTATED);
            TransitKeyVersions versions = new TransitKeyAdmin(bao.root()).read(kek);
            assertThat(versions.latestVersion()).isEqualTo(i + 1);
            if (versions.minDecryptionVersion() <= 1) {
                try (SecretBytes v1 = traffic.unwrap(firstV1, firstAd)) {
                    assertThat(v1.equalsConstantTime(firstKey)).as("v1 data before min passes it").isTrue();
                }
            } else {
                assertThatThrownBy(() -> traffic.unwrap(firstV1, firstAd))
                        .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(KeyException.Reason.NOT_FOUND));
            }
            WrappedKey stored = store.get("first").wrapped();
            assertThat(stored.kekVersion()).isEqualTo(i + 1);
            try (SecretBytes copy = traffic.unwrap(stored, firstAd)) {
                assertThat(copy.equalsConstantTime(firstKey)).as("the re-wrapped copy").isTrue();
            }
            Thread.sleep(SPACING.toMillis());
            assertThat(operations.get()).as("traffic kept flowing during rotation " + i).isGreaterThan(operationsBefore);
        }
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(failures).as("failed operations").isEmpty();
        TransitKeyVersions end = new TransitKeyAdmin(bao.root()).read(kek);
        assertThat(end.latestVersion()).isEqualTo(ROTATIONS + 1);
        assertThat(end.minDecryptionVersion()).isEqualTo(ROTATIONS); // two versions kept
        assertThat(audit.ofTypeAndAction(EventType.KEY_ROTATED, "rotate")).hasSize(ROTATIONS);
        assertThat(audit.ofTypeAndAction(EventType.KEY_ROTATED, "set_min_decryption_version")).hasSize(ROTATIONS - 1);
        assertThat(audit.ofType(EventType.KEY_REWRAPPED)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.attributes()).containsEntry("failed", 0L));
        assertThat(audit.ofType(EventType.KEY_ROTATION_FAILED)).isEmpty();
        assertThat(store.findWrappedBelow(kek, end.minDecryptionVersion(), null, 10)).isEmpty();
        System.out.printf("rotation under load: %d rotations, %d operations, 0 failures%n", ROTATIONS, operations.get());
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private static SecretBytes random() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return SecretBytes.adopt(raw);
    }
}
