package dev.portcullis.anomaly.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.anomaly.Events;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.alert.AlertDispatcher;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.anomaly.alert.JsonLinesAlertStore;
import dev.portcullis.anomaly.detectors.Detectors;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.SegmentFileAuditLog;

/**
 * Online detection against the real segment-file audit log: the service's log, written and
 * followed in this process exactly as the authz-service will (the end-to-end test through the
 * running service is the lead's, once it is wired).
 */
class OnlineDetectionTest {

    private static final String ORIGIN = "portcullis.test/audit/anomaly";
    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());

    @TempDir
    Path dir;

    private SegmentFileAuditLog openLog() {
        return SegmentFileAuditLog.builder(dir.resolve("log"), ORIGIN, signer).checkpointInterval(Duration.ofHours(1)).open();
    }

    private static void stuffingBurst(SegmentFileAuditLog log, Instant start) {
        for (int i = 0; i < 30; i++) {
            log.append(Events.failedLogin(start.plusMillis(100L * i), "victim" + i, "203.0.113.99"));
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("condition reached within 30 s").isTrue();
    }

    private OnlineDetection online(SegmentFileAuditLog log, AlertDispatcher dispatcher) {
        return OnlineDetection.builder(log, Detectors.all(Thresholds.defaults()), dispatcher, dir.resolve("state/checkpoint.json"))
                .pollTimeout(Duration.ofMillis(100)).build();
    }

    @Test
    void anInjectedCredentialStuffingBurstInTheLiveLogRaisesAnAuditedAlert() throws Exception {
        JsonLinesAlertStore store = new JsonLinesAlertStore(dir.resolve("state/alerts.jsonl"));
        try (SegmentFileAuditLog log = openLog();
                AlertDispatcher dispatcher = AlertDispatcher.builder(log, store, Clock.systemUTC()).build();
                OnlineDetection online = online(log, dispatcher)) {
            online.start();
            stuffingBurst(log, Instant.now());

            await(() -> uncheckedList(store).size() == 1);

            AlertRecord record = uncheckedList(store).getFirst();
            assertThat(record.alert().detector()).isEqualTo("credential-stuffing");
            assertThat(record.alert().entity().key()).isEqualTo("ip:203.0.113.99");
            // The alert is itself an audit event in the same log, with the alert's id.
            await(() -> anomalyEvents(log).size() == 1);
            AuditEvent event = anomalyEvents(log).getFirst();
            assertThat(event.id()).isEqualTo(record.id());
            assertThat(event.resource()).isEqualTo("ip:203.0.113.99");
            assertThat(event.attributes()).containsEntry("detector", "credential-stuffing");
            await(() -> online.status().nextIndex() == log.size());
        }
    }

    @Test
    void aRestartDoesNotReAlertOnOldEventsButStillAlertsOnNewOnes() throws Exception {
        JsonLinesAlertStore store = new JsonLinesAlertStore(dir.resolve("state/alerts.jsonl"));
        Instant t0 = Instant.now().minusSeconds(3600);
        try (SegmentFileAuditLog log = openLog()) {
            try (AlertDispatcher dispatcher = AlertDispatcher.builder(log, store, Clock.systemUTC()).build();
                    OnlineDetection online = online(log, dispatcher)) {
                online.start();
                stuffingBurst(log, t0);
                await(() -> uncheckedList(store).size() == 1 && online.status().nextIndex() == log.size());
            }
            long before = log.size();
            // Restart with a fresh process state: replays the old entries silently.
            try (AlertDispatcher dispatcher = AlertDispatcher.builder(log, store, Clock.systemUTC()).build();
                    OnlineDetection online = online(log, dispatcher)) {
                online.start();
                assertThat(online.status().replayed()).isEqualTo(before);
                for (int i = 0; i < 12; i++) {
                    log.append(Events.failedLogin(t0.plusSeconds(600 + i), "alice", "198.51.100.1"));
                }
                await(() -> uncheckedList(store).size() == 2);
                await(() -> online.status().nextIndex() == log.size());
                assertThat(dispatcher.duplicates()).isZero();
                assertThat(uncheckedList(store)).extracting(r -> r.alert().detector())
                        .containsExactly("brute-force", "credential-stuffing");
            }
            assertThat(anomalyEvents(log)).hasSize(2);
        }
    }

    @Test
    void refusesACheckpointOfAnotherLog() throws IOException {
        Path checkpoint = dir.resolve("state/checkpoint.json");
        new CheckpointFile(checkpoint, "other.example/audit").save(5, Instant.now());
        try (SegmentFileAuditLog log = openLog()) {
            OnlineDetection online = OnlineDetection.builder(log, Detectors.all(Thresholds.defaults()), a -> { }, checkpoint).build();
            assertThatThrownBy(online::start).isInstanceOf(IOException.class)
                    .hasMessageContaining("belongs to log 'other.example/audit'");
        }
    }

    @Test
    void checkpointSurvivesAndIsReadBack() throws IOException {
        CheckpointFile file = new CheckpointFile(dir.resolve("c.json"), ORIGIN);
        assertThat(file.load()).isEmpty();
        file.save(42, Instant.parse("2026-11-23T02:00:00Z"));
        assertThat(file.load()).hasValue(42);
        Files.writeString(dir.resolve("c.json"), "{\"next_index\":");
        assertThatThrownBy(file::load).hasMessageContaining("not valid JSON");
    }

    private static List<AlertRecord> uncheckedList(JsonLinesAlertStore store) {
        try {
            return store.list(true, 100);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<AuditEvent> anomalyEvents(SegmentFileAuditLog log) {
        return log.read(0, (int) log.size()).stream().map(LogEntry::event)
                .filter(e -> e.type() == EventType.ANOMALY_DETECTED).toList();
    }

}
