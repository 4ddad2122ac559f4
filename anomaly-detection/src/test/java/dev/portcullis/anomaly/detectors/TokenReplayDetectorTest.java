package dev.portcullis.anomaly.detectors;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Events;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;

class TokenReplayDetectorTest {

    private final Actor alice = Events.withToken(Events.user("alice", "198.51.100.4", "Mozilla/5.0 Firefox/133"), "jti-1");

    @Test
    void firesWhenTheSameTokenComesFromAnotherIpAndUserAgent() {
        Actor thief = Events.withToken(Events.user("alice", "203.0.113.66", "curl/8.5"), "jti-1");
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(Events.request(T0.plusSeconds(30L * i), alice, "GET", "/orders/" + i, Outcome.ALLOW));
        }
        events.add(Events.request(T0.plusSeconds(200), thief, "GET", "/orders/9", Outcome.ALLOW));

        List<Alert> alerts = Events.run(new TokenReplayDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo(Entity.token("jti-1"));
            assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
            // Where the token started, and where it was replayed.
            assertThat(a.eventIds()).containsExactly(events.getFirst().id(), events.getLast().id());
            assertThat(a.explanation()).contains("token jti-1 of subject alice used from 2 IPs and 2 user agents")
                    .contains("latest from 203.0.113.66");
        });
    }

    @Test
    void quietOnTheBenignTwinOfAPhoneThatChangesNetworkOnce() {
        Actor mobile = Events.withToken(Events.user("alice", "100.64.7.1", "Mozilla/5.0 Firefox/133"), "jti-1");
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(Events.request(T0.plusSeconds(30L * i), i < 5 ? alice : mobile, "GET", "/orders/" + i, Outcome.ALLOW));
        }
        assertThat(Events.run(new TokenReplayDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void firesOnThreeIpsEvenWithTheSameUserAgent() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Actor a = Events.withToken(Events.user("alice", "203.0.113." + (10 + i), "Mozilla/5.0 Firefox/133"), "jti-2");
            events.add(Events.request(T0.plusSeconds(20L * i), a, "GET", "/orders/1", Outcome.ALLOW));
        }
        assertThat(Events.run(new TokenReplayDetector(Thresholds.defaults()), events))
                .singleElement().extracting(Alert::severity).isEqualTo(Severity.HIGH);
    }

    @Test
    void quietWhenTheTokenIdsDiffer() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Actor a = Events.withToken(Events.user("u" + i, "203.0.113." + i, "agent-" + i), "jti-" + i);
            events.add(Events.request(T0.plusSeconds(i), a, "GET", "/orders/1", Outcome.ALLOW));
        }
        assertThat(Events.run(new TokenReplayDetector(Thresholds.defaults()), events)).isEmpty();
    }
}
