package dev.portcullis.keys.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.catalog.KeyCatalog;
import dev.portcullis.keys.catalog.KeyPurpose;
import dev.portcullis.keys.catalog.KeyType;
import dev.portcullis.keys.catalog.ManagedKey;
import dev.portcullis.keys.catalog.RotationSchedule;
import dev.portcullis.keys.testing.InMemoryWrappedKeyRepository;
import dev.portcullis.keys.testing.OwnOpenBao;
import dev.portcullis.keys.testing.RecordingAuditSink;
import dev.portcullis.keys.testing.StackVault;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;

/**
 * Against an OpenBao of the test's own (file storage, TLS, real init/unseal): TLS to Vault, a
 * sealed Vault, and Vault stopped in the middle of a rotation.
 */
class OwnOpenBaoIT {

    private static final byte[] AD = "record:7".getBytes(StandardCharsets.UTF_8);

    private static OwnOpenBao bao;

    @BeforeAll
    static void start() throws Exception {
        StackVault stack = StackVault.require();
        Path dir = Files.createTempDirectory(Path.of("target"), "own-openbao-");
        bao = OwnOpenBao.start(stack, dir);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (bao != null) {
            bao.close();
        }
    }

    private static VaultClient root() {
        return bao.clientWithShortRetries(VaultAuthentication.token(bao.rootToken()));
    }

    private static String newKek(VaultClient root, String name) {
        root.write("transit/keys/" + name, Map.of("type", "aes256-gcm96", "derived", true));
        return name;
    }

    @Test
    void tlsWorksWithThePinnedCaAndFailsAsMisconfiguredWithoutIt() {
        assertThat(root().read("sys/mounts").toString()).contains("transit/");

        VaultClient untrusting = VaultClient.builder(bao.address())
                .authentication(VaultAuthentication.token(bao.rootToken())).build();
        assertThatThrownBy(() -> untrusting.read("sys/mounts"))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.MISCONFIGURED))
                .hasMessageContaining("TLS to Vault failed");

    }

    @Test
    void aSealedVaultGivesAPreciseErrorAndWorksAgainOnceUnsealed() throws Exception {
        VaultClient root = root();
        String kek = newKek(root, "sealed-test");
        VaultTransitKeyWrapper wrapper = new VaultTransitKeyWrapper(root);
        WrappedKey wrapped = wrapper.wrap(kek, SecretBytes.copyOf(new byte[32]), AD);

        bao.seal();
        try {
            assertThatThrownBy(() -> wrapper.unwrap(wrapped, AD))
                    .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.SEALED))
                    .hasMessageContaining("Vault is sealed").hasMessageContaining("unseal");
        } finally {
            bao.unseal();
        }
        wrapper.unwrap(wrapped, AD).close();
    }

    @Test
    void vaultStoppedDuringARotationIsAuditedLeavesDataReadableAndTheNextRunFinishesTheJob() throws Exception {
        VaultClient root = root();
        String kek = newKek(root, "stopped-test");
        ManagedKey key = new ManagedKey(kek, KeyPurpose.FIELD_ENCRYPTION_KEK, KeyType.AES256_GCM96,
                RotationSchedule.parse("P30D", Duration.ZERO), 2);
        AtomicBoolean stopVaultOnNextScan = new AtomicBoolean();
        InMemoryWrappedKeyRepository store = new InMemoryWrappedKeyRepository() {
            @Override
            public List<dev.portcullis.keys.rotation.StoredWrappedKey> findWrappedBelow(String kekName, int below, String after, int limit) {
                if (stopVaultOnNextScan.getAndSet(false)) {
                    try {
                        bao.stop(); // Vault goes away after the rotate, before the re-wrap
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.findWrappedBelow(kekName, below, after, limit);
            }
        };
        RecordingAuditSink audit = new RecordingAuditSink();
        KeyRotationService service = KeyRotationService.builder(KeyCatalog.of(List.of(key)), new TransitKeyAdmin(root),
                        new VaultTransitKeyWrapper(root), new VaultKvLeaseLock(root, "own-test", Clock.systemUTC()), audit)
                .repository(store).build();
        VaultTransitKeyWrapper traffic = new VaultTransitKeyWrapper(root);
        SecretBytes dataKey = SecretBytes.copyOf("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        store.put("a", traffic.wrap(kek, dataKey, AD), AD);
        assertThat(service.rotateNow(kek, Actor.system("test"))).isEqualTo(RotationOutcome.ROTATED); // v2, min 1
        assertThat(store.get("a").wrapped().kekVersion()).isEqualTo(2);

        stopVaultOnNextScan.set(true);
        assertThatThrownBy(() -> service.rotateNow(kek, Actor.system("test")))
                .satisfies(e -> assertThat(((KeyException) e).reason()).isEqualTo(Reason.UNAVAILABLE));

        List<AuditEvent> failed = audit.ofType(EventType.KEY_ROTATION_FAILED);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).reason()).isEqualTo("unavailable");
        assertThat(failed.get(0).attributes()).containsEntry("stage", "rewrap");

        bao.restart();
        // Not half-rotated: the rotation to v3 happened atomically, the minimum was not raised, the data reads.
        TransitKeyVersions after = new TransitKeyAdmin(root).read(kek);
        assertThat(after.latestVersion()).isEqualTo(3);
        assertThat(after.minDecryptionVersion()).isEqualTo(1);
        assertThat(store.get("a").wrapped().kekVersion()).isEqualTo(2);
        try (SecretBytes back = traffic.unwrap(store.get("a").wrapped(), AD)) {
            assertThat(back.equalsConstantTime(dataKey)).isTrue();
        }

        // The scheduler's next look finishes the re-wrap and raises the minimum.
        assertThat(service.rotateIfDue(kek)).isEqualTo(RotationOutcome.COMPLETED);
        TransitKeyVersions done = new TransitKeyAdmin(root).read(kek);
        assertThat(done.latestVersion()).isEqualTo(3);
        assertThat(done.minDecryptionVersion()).isEqualTo(2);
        assertThat(store.get("a").wrapped().kekVersion()).isEqualTo(3);
        try (SecretBytes back = traffic.unwrap(store.get("a").wrapped(), AD)) {
            assertThat(back.equalsConstantTime(dataKey)).isTrue();
        }
        assertThat(service.status(kek).pending()).isNull();
    }
}
