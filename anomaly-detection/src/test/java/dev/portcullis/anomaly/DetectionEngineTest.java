package dev.portcullis.anomaly;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.detectors.BruteForceDetector;
import dev.portcullis.anomaly.detectors.Detectors;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.Outcome;

class DetectionEngineTest {

    private static List<AuditEvent> bruteForce() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(i), "alice", "203.0.113.5"));
        }
        return events;
    }

    @Test
    void skipsAnomalyEventsSoThatAlertsNeverFeedTheDetectors() {
        Events.Collector out = new Events.Collector();
        DetectionEngine engine = new DetectionEngine(List.of(new BruteForceDetector(Thresholds.defaults())), out);
        for (AuditEvent e : bruteForce()) {
            // The same failures, as if they were echoed back inside anomaly.detected events.
            engine.process(AuditEvent.builder(EventType.ANOMALY_DETECTED, e.time()).actor(e.actor())
                    .action("detect").resource("subject:alice").outcome(Outcome.SUCCESS).build());
        }
        assertThat(out.alerts).isEmpty();
        assertThat(engine.skipped()).isEqualTo(12);
        assertThat(engine.processed()).isZero();
    }

    @Test
    void aFailingDetectorIsCountedAndTheOthersStillRun() {
        Detector broken = new StubDetector("broken") {
            @Override
            public void observe(AuditEvent event, Consumer<Alert> alerts) {
                throw new IllegalStateException("bug");
            }
        };
        Events.Collector out = new Events.Collector();
        DetectionEngine engine = new DetectionEngine(List.of(broken, new BruteForceDetector(Thresholds.defaults())), out);

        bruteForce().forEach(engine::process);

        assertThat(out.alerts).hasSize(1);
        assertThat(engine.errorCounts()).containsEntry("broken", 12L).containsEntry("brute-force", 0L);
        assertThat(engine.alertCounts()).containsEntry("brute-force", 1L);
    }

    @Test
    void ignoresPortcullisOwnSystemActors() {
        Events.Collector out = new Events.Collector();
        DetectionEngine engine = new DetectionEngine(Detectors.all(Thresholds.defaults()), out);
        for (int i = 0; i < 500; i++) {
            engine.process(AuditEvent.builder(EventType.AUTHN_FAILURE, T0.plusSeconds(i))
                    .actor(Actor.system("anomaly-detection")).action("POST").resource("/x" + i)
                    .outcome(Outcome.DENY).build());
        }
        engine.finish();
        assertThat(out.alerts).isEmpty();
    }

    @Test
    void theStandardSetRejectsAnUnknownThresholdKey() {
        assertThatThrownBy(() -> Detectors.all(Thresholds.of(Map.of("brute-force.min-failure", "3"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[brute-force.min-failure]");
    }

    @Test
    void theStandardSetHasEveryDetectorOfTheIssue() {
        assertThat(Detectors.all(Thresholds.defaults())).extracting(Detector::name).containsExactly(
                "credential-stuffing", "brute-force", "token-replay", "privilege-probing", "rate-spike",
                "mass-decryption", "new-context", "service-identity-misuse", "off-hours-access",
                "isolation-forest");
    }

    @Test
    void oneEventDatedFarAheadDoesNotStopTheStreamFromAdvancing() {
        List<Instant> advances = new ArrayList<>();
        Detector recording = new StubDetector("recording") {
            @Override
            public void advanceTo(Instant now, Consumer<Alert> alerts) {
                advances.add(now);
            }
        };
        DetectionEngine engine = new DetectionEngine(List.of(recording), new Events.Collector(), java.time.Duration.ofMinutes(1));
        engine.process(Events.failedLogin(Events.T0, "alice", "198.51.100.4"));
        engine.process(Events.failedLogin(Instant.parse("9999-12-31T23:59:59Z"), "mallory", "203.0.113.9"));
        advances.clear();

        // Two hours of ordinary events after it, one a minute.
        for (int i = 1; i <= 120; i++) {
            engine.process(Events.failedLogin(Events.T0.plusSeconds(60L * i), "alice", "198.51.100.4"));
        }

        assertThat(advances).as("windows close and idle state is evicted as the ordinary events go on")
                .hasSizeGreaterThanOrEqualTo(100).allMatch(t -> t.isBefore(Events.T0.plusSeconds(7201)));
    }

    /** A detector that tracks nothing and alerts on nothing, for tests to override one method of. */
    private static class StubDetector implements Detector {
        private final String name;

        StubDetector(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void observe(AuditEvent event, Consumer<Alert> alerts) {
        }

        @Override
        public int trackedEntities() {
            return 0;
        }

        @Override
        public Map<String, String> thresholds() {
            return Map.of();
        }
    }
}
