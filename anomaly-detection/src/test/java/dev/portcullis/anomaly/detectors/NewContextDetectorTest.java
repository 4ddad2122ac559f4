package dev.portcullis.anomaly.detectors;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
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

class NewContextDetectorTest {

    /** Past the default warm-up of 10 days. */
    private static final int HISTORY_DAYS = 11;

    private final Actor home = Events.user("dana", "198.51.100.12", "Mozilla/5.0 Firefox/133");

    private List<AuditEvent> history() {
        List<AuditEvent> events = new ArrayList<>();
        for (int day = 0; day < HISTORY_DAYS; day++) {
            for (int i = 0; i < 10; i++) {
                String path = i == 0 ? "/admin/keys" : "/orders/" + i;
                events.add(Events.request(T0.plusSeconds(86_400L * day + 600L * i), home, "GET", path, Outcome.ALLOW));
            }
        }
        return events;
    }

    @Test
    void firesWhenASensitiveResourceIsReachedFromANewNetworkAndDevice() {
        List<AuditEvent> events = history();
        Actor attacker = new Actor("dana", "web-frontend", null, "203.0.113.80", "curl/8.5", "tok-x", "sess-x");
        Instant t = T0.plusSeconds(86_400L * HISTORY_DAYS);
        events.add(Events.request(t, attacker, "GET", "/orders/1", Outcome.ALLOW));
        events.add(Events.request(t.plusSeconds(30), attacker, "GET", "/admin/users", Outcome.ALLOW));

        List<Alert> alerts = Events.run(new NewContextDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo(Entity.subject("dana"));
            assertThat(a.severity()).isEqualTo(Severity.MEDIUM);
            // The harmless first request from the new context is evidence too: browsing first does not launder it.
            assertThat(a.eventIds()).containsExactly(events.get(events.size() - 2).id(), events.getLast().id());
            assertThat(a.explanation()).contains("reached sensitive GET /admin/users")
                    .contains("new network 203.0.113.0/24, new user agent curl/8.5");
        });
    }

    @Test
    void quietOnTheBenignTwinOfATripWithTheUsualBrowser() {
        List<AuditEvent> events = history();
        Actor hotel = Events.user("dana", "192.0.2.44", "Mozilla/5.0 Firefox/133");
        events.add(Events.request(T0.plusSeconds(86_400L * HISTORY_DAYS), hotel, "GET", "/admin/users", Outcome.ALLOW));
        assertThat(Events.run(new NewContextDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietWhenTheNewContextOnlyReachesOrdinaryResources() {
        List<AuditEvent> events = history();
        Actor attacker = new Actor("dana", "web-frontend", null, "203.0.113.80", "curl/8.5", "tok-x", "sess-x");
        events.add(Events.request(T0.plusSeconds(86_400L * HISTORY_DAYS), attacker, "GET", "/orders/2", Outcome.ALLOW));
        assertThat(Events.run(new NewContextDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietBeforeTheSubjectHasAHistory() {
        Actor attacker = new Actor("erin", "web-frontend", null, "203.0.113.80", "curl/8.5", "tok-x", "sess-x");
        assertThat(Events.run(new NewContextDetector(Thresholds.defaults()),
                List.of(Events.request(T0, attacker, "GET", "/admin/users", Outcome.ALLOW)))).isEmpty();
    }
}
