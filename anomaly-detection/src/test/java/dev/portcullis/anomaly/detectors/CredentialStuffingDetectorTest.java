package dev.portcullis.anomaly.detectors;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.anomaly.Events;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;

class CredentialStuffingDetectorTest {

    @Test
    void firesOnOneIpv6HostUsingANewAddressOfItsSlash64ForEveryAttempt() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(10L * i), "user" + i, "2001:db8:1:2::" + Integer.toHexString(i + 1)));
        }

        List<Alert> alerts = Events.run(new CredentialStuffingDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity().kind()).isEqualTo(EntityKind.IP);
            assertThat(a.entity().value()).as("the network, which the block list then blocks whole")
                    .isEqualTo("2001:db8:1:2:0:0:0:0/64");
        });
    }

    @Test
    void firesWhenOneIpFailsForManySubjectsWithinTheWindow() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(10L * i), "user" + i, "203.0.113.7"));
        }

        List<Alert> alerts = Events.run(new CredentialStuffingDetector(Thresholds.defaults()), events);

        assertThat(alerts).hasSize(1);
        Alert alert = alerts.getFirst();
        assertThat(alert.detector()).isEqualTo("credential-stuffing");
        assertThat(alert.entity().kind()).isEqualTo(EntityKind.IP);
        assertThat(alert.entity().value()).isEqualTo("203.0.113.7");
        assertThat(alert.severity()).isEqualTo(Severity.HIGH);
        // Fires on the 20th failure (the 20th distinct subject), at 190 s.
        assertThat(alert.end()).isEqualTo(T0.plusSeconds(190));
        assertThat(alert.start()).isEqualTo(T0);
        assertThat(alert.eventIds()).hasSize(20).contains(events.get(19).id()).doesNotContain(events.get(20).id());
        assertThat(alert.explanation()).startsWith("20 failed logins for 20 distinct subjects from 203.0.113.7 in 190 s");
    }

    @Test
    void quietOnTheBenignTwinOfManyUsersTypingTheirPasswordWrongBehindOneOfficeIp() {
        // The same office NAT address: 200 successful requests, and a typo now and then by 8 people.
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(Events.request(T0.plusSeconds(3L * i), Events.user("user" + (i % 50), "198.51.100.20", "Firefox"),
                    "GET", "/orders/" + i, Outcome.ALLOW));
            if (i % 25 == 0) {
                events.add(Events.failedLogin(T0.plusSeconds(3L * i + 1), "user" + i, "198.51.100.20"));
            }
        }
        events.sort(java.util.Comparator.comparing(AuditEvent::time));

        assertThat(Events.run(new CredentialStuffingDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietWhenOneIpFailsForOneSubjectManyTimes() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(5L * i), "alice", "203.0.113.7"));
        }
        // One subject: brute force (another detector), not stuffing.
        assertThat(Events.run(new CredentialStuffingDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietWhenTheSameFailuresAreSpreadOverHours() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(600L * i), "user" + i, "203.0.113.7"));
        }
        assertThat(Events.run(new CredentialStuffingDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void alertsOncePerCooldownDuringALongAttack() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(10L * i), "user" + i, "203.0.113.7"));
        }
        // 100 minutes of attack, cooldown 1 h: the first alert and one more an hour later.
        assertThat(Events.run(new CredentialStuffingDetector(Thresholds.defaults()), events)).hasSize(2);
    }

    @Test
    void thresholdsAreConfigurableAndReported() {
        CredentialStuffingDetector detector = new CredentialStuffingDetector(
                Thresholds.of(Map.of("credential-stuffing.min-failures", "5", "credential-stuffing.min-distinct-subjects", "5")));
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(Events.failedLogin(T0.plusSeconds(i), "user" + i, "203.0.113.9"));
        }
        assertThat(Events.run(detector, events)).hasSize(1);
        assertThat(detector.thresholds()).containsEntry("credential-stuffing.min-failures", "5")
                .containsEntry("credential-stuffing.window", "10m");
    }

    @Test
    void rejectsAnInvalidThreshold() {
        assertThatThrownBy(() -> new CredentialStuffingDetector(Thresholds.of(Map.of("credential-stuffing.window", "soon"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credential-stuffing.window");
    }
}
