package dev.portcullis.keys.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
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
 * The "two service instances with a short rotation period": both run their schedulers
 * against the same real OpenBao, and every rotation happens exactly once.
 */
class TwoInstancesRotationIT {

    /** Below the catalog's one-minute floor on purpose: built with ManagedKey directly for the test. */
    private static final Duration PERIOD = Duration.ofSeconds(2);
    private static final Duration RUN_FOR = Duration.ofSeconds(11);

    private record Instance(RotationScheduler scheduler, RecordingAuditSink audit) {
    }

    private static Instance instance(StackVault bao, ManagedKey key, InMemoryWrappedKeyRepository store, String holder) {
        VaultClient client = bao.client(VaultAuthentication.token(bao.rootToken()));
        RecordingAuditSink audit = new RecordingAuditSink();
        KeyRotationService service = KeyRotationService.builder(KeyCatalog.of(List.of(key)), new TransitKeyAdmin(client),
                        new VaultTransitKeyWrapper(client), new VaultKvLeaseLock(client, holder, Clock.systemUTC()), audit)
                .repository(store).lease(Duration.ofSeconds(30)).build();
        return new Instance(new RotationScheduler(service, Duration.ofMillis(150)), audit);
    }

    @Test
    void eachDueRotationHappensExactlyOnceAcrossTwoInstances() throws Exception {
        StackVault bao = StackVault.require();
        String kek = bao.newKek("twins");
        ManagedKey key = new ManagedKey(kek, KeyPurpose.FIELD_ENCRYPTION_KEK, KeyType.AES256_GCM96,
                RotationSchedule.parse(PERIOD.toString(), Duration.ZERO), 2);
        InMemoryWrappedKeyRepository store = new InMemoryWrappedKeyRepository();
        Instance a = instance(bao, key, store, "instance-a");
        Instance b = instance(bao, key, store, "instance-b");

        a.scheduler().start();
        b.scheduler().start();
        Thread.sleep(RUN_FOR.toMillis());
        a.scheduler().close();
        b.scheduler().close();

        TransitKeyVersions versions = new TransitKeyAdmin(bao.root()).read(kek);
        List<AuditEvent> rotations = new ArrayList<>();
        rotations.addAll(a.audit().ofTypeAndAction(EventType.KEY_ROTATED, "rotate"));
        rotations.addAll(b.audit().ofTypeAndAction(EventType.KEY_ROTATED, "rotate"));
        Map<Object, Long> perVersion = rotations.stream()
                .collect(Collectors.groupingBy(e -> e.attributes().get("to_version"), TreeMap::new, Collectors.counting()));

        assertThat(versions.latestVersion()).as("the key was rotated several times").isGreaterThanOrEqualTo(3);
        assertThat(rotations).as("one audited rotation per new version").hasSize(versions.latestVersion() - 1);
        assertThat(perVersion.values()).as("no version was made twice").allMatch(n -> n == 1);
        // Vault's own creation times: consecutive versions are at least one period apart, so no
        // instance rotated a key that the other had just rotated.
        Instant previous = null;
        for (Instant created : versions.created().values()) {
            if (previous != null) {
                assertThat(Duration.between(previous, created)).isGreaterThanOrEqualTo(PERIOD);
            }
            previous = created;
        }
        assertThat(a.audit().ofType(EventType.KEY_ROTATION_FAILED)).isEmpty();
        assertThat(b.audit().ofType(EventType.KEY_ROTATION_FAILED)).isEmpty();
        System.out.printf("two instances: %d rotations, by a: %d, by b: %d%n", rotations.size(),
                a.audit().ofTypeAndAction(EventType.KEY_ROTATED, "rotate").size(),
                b.audit().ofTypeAndAction(EventType.KEY_ROTATED, "rotate").size());
    }
}
