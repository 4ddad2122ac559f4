package dev.portcullis.keys.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Actor;
import dev.portcullis.keys.catalog.KeyCatalog;
import dev.portcullis.keys.catalog.KeyPurpose;
import dev.portcullis.keys.catalog.KeyType;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.catalog.RotationSchedule;
import dev.portcullis.keys.testing.InMemoryWrappedKeyRepository;
import dev.portcullis.keys.testing.MutableClock;
import dev.portcullis.keys.testing.RecordingAuditSink;
import dev.portcullis.keys.testing.StackVault;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Key age, time to rotation and overdue health from a real key's versions, with a clock the test moves. */
class KeyRotationMetricsIT {

    @Test
    void gaugesAndHealthFollowTheKeysAgeAndSchedule() {
        StackVault bao = StackVault.require();
        String kek = bao.newKek("metrics");
        ManagedKey key = new ManagedKey(kek, KeyPurpose.FIELD_ENCRYPTION_KEK, KeyType.AES256_GCM96,
                RotationSchedule.parse("PT1H", Duration.ZERO), 2);
        MutableClock clock = new MutableClock(Instant.now());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KeyRotationMetrics metrics = new KeyRotationMetrics(registry, clock);
        KeyRotationService service = KeyRotationService.builder(KeyCatalog.of(List.of(key)),
                        new TransitKeyAdmin(bao.root()), new VaultTransitKeyWrapper(bao.root()),
                        new VaultKvLeaseLock(bao.root(), "metrics-test", clock), new RecordingAuditSink())
                .repository(new InMemoryWrappedKeyRepository()).clock(clock).overdueGrace(Duration.ofMinutes(10))
                .metrics(metrics).build();
        metrics.bind(service);

        assertThat(registry.get("portcullis.keys.age").tag("key", kek).gauge().value()).isNaN();
        assertThat(service.health().status()).isEqualTo(KeyHealth.Status.WARNING); // never checked yet

        KeyStatus status = service.status(kek);
        Instant created = status.latestCreated();
        clock.set(created.plus(Duration.ofMinutes(20)));
        assertThat(registry.get("portcullis.keys.age").tag("key", kek).gauge().value()).isEqualTo(20 * 60);
        assertThat(registry.get("portcullis.keys.time.to.rotation").tag("key", kek).gauge().value()).isEqualTo(40 * 60);
        assertThat(service.health().status()).isEqualTo(KeyHealth.Status.UP);

        clock.set(created.plus(Duration.ofMinutes(71)));
        service.status(kek);
        assertThat(registry.get("portcullis.keys.overdue").tag("key", kek).gauge().value()).isEqualTo(1);
        assertThat(registry.get("portcullis.keys.time.to.rotation").tag("key", kek).gauge().value()).isEqualTo(-11 * 60);
        assertThat(service.health().status()).isEqualTo(KeyHealth.Status.WARNING);
        assertThat(service.health().problems().get(kek)).startsWith("overdue");

        assertThat(service.rotateNow(kek, Actor.system("test"))).isEqualTo(RotationOutcome.ROTATED);
        assertThat(registry.get("portcullis.keys.version.latest").tag("key", kek).gauge().value()).isEqualTo(2);
        assertThat(registry.get("portcullis.keys.rotation.runs").tag("key", kek).tag("outcome", "rotated").counter().count()).isEqualTo(1);
    }
}
