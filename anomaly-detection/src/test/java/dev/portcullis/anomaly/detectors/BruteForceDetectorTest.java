package dev.portcullis.anomaly.detectors;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Events;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;

class BruteForceDetectorTest {

    @Test
    void firesWhenOneSubjectFailsTenTimesFromRotatingIps() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(15L * i), "alice", "203.0.113." + (i % 4)));
        }

        List<Alert> alerts = Events.run(new BruteForceDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo(Entity.subject("alice"));
            assertThat(a.eventIds()).hasSize(10).startsWith(events.getFirst().id());
            assertThat(a.explanation()).isEqualTo(
                    "10 failed logins for subject alice from 4 IPs in 135 s (threshold: 10 within 10m)");
        });
    }

    @Test
    void quietOnTheBenignTwinOfAUserWhoMistypesThreeTimesThenLogsIn() {
        List<AuditEvent> events = new ArrayList<>();
        for (int day = 0; day < 5; day++) {
            for (int i = 0; i < 3; i++) {
                events.add(Events.failedLogin(T0.plusSeconds(86_400L * day + 20L * i), "alice", "198.51.100.4"));
            }
            events.add(Events.request(T0.plusSeconds(86_400L * day + 70), Events.user("alice", "198.51.100.4", "Firefox"),
                    "GET", "/orders/1", Outcome.ALLOW));
        }
        assertThat(Events.run(new BruteForceDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietWhenFailuresAreSpreadOverADay() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(3600L * i), "alice", "198.51.100.4"));
        }
        assertThat(Events.run(new BruteForceDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void firesWhenTheEventCrossingTheThresholdIsOlderThanTheFirstOfItsBurst() {
        // Parallel requests: the log holds events in the order the requests finished, so the
        // tenth failure (received first) is logged last. It still raises the alert, over both.
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            events.add(Events.failedLogin(T0.plusMillis(5 + i), "alice", "203.0.113.9"));
        }
        events.add(Events.failedLogin(T0, "alice", "203.0.113.9"));

        List<Alert> alerts = Events.run(new BruteForceDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.start()).isEqualTo(T0);
            assertThat(a.end()).isEqualTo(T0.plusMillis(5));
        });
    }

    @Test
    void aLaterBurstsAlertCarriesOnlyItsOwnEventsAsEvidence() {
        List<AuditEvent> first = new ArrayList<>();
        List<AuditEvent> second = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            first.add(Events.failedLogin(T0.plusSeconds(i), "alice", "203.0.113.9"));
            second.add(Events.failedLogin(T0.plusSeconds(3601 + i), "alice", "203.0.113.9"));
        }
        List<AuditEvent> events = new ArrayList<>(first);
        events.addAll(second);

        List<Alert> alerts = Events.run(new BruteForceDetector(Thresholds.defaults()), events);

        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(1).eventIds()).containsExactlyElementsOf(second.stream().map(AuditEvent::id).toList());
    }
}
