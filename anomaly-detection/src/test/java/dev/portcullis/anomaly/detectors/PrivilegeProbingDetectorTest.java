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

class PrivilegeProbingDetectorTest {

    private final Actor bob = Events.user("bob", "198.51.100.7", "Firefox");

    @Test
    void firesWhenOnePrincipalIsDeniedOnManyDistinctResources() {
        List<AuditEvent> events = new ArrayList<>();
        String[] paths = {"/orders/1/refund", "/invoices", "/users", "/users/2", "/reports", "/exports",
            "/billing", "/keys", "/audit", "/settings", "/teams"};
        for (int i = 0; i < paths.length; i++) {
            events.add(Events.request(T0.plusSeconds(20L * i), bob, "GET", paths[i], Outcome.DENY));
        }

        List<Alert> alerts = Events.run(new PrivilegeProbingDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo(Entity.subject("bob"));
            assertThat(a.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(a.eventIds()).hasSize(10);
            assertThat(a.explanation()).startsWith("subject bob was denied on 10 distinct resources (0 of them admin routes)");
        });
    }

    @Test
    void firesHighOnThreeAdminRoutes() {
        List<AuditEvent> events = List.of(
                Events.request(T0, bob, "GET", "/admin/keys", Outcome.DENY),
                Events.request(T0.plusSeconds(5), bob, "GET", "/admin/users", Outcome.DENY),
                Events.request(T0.plusSeconds(9), bob, "POST", "/admin/keys/rotate", Outcome.DENY));
        assertThat(Events.run(new PrivilegeProbingDetector(Thresholds.defaults()), events))
                .singleElement().extracting(Alert::severity).isEqualTo(Severity.HIGH);
    }

    @Test
    void quietOnTheBenignTwinOfRetryingOneForbiddenResource() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(Events.request(T0.plusSeconds(5L * i), bob, "GET", "/orders/42", Outcome.DENY));
        }
        events.add(Events.request(T0.plusSeconds(300), bob, "GET", "/admin/keys", Outcome.DENY));
        assertThat(Events.run(new PrivilegeProbingDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietWhenManyResourcesAreAllowed() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(Events.request(T0.plusSeconds(5L * i), bob, "GET", "/orders/" + i, Outcome.ALLOW));
        }
        assertThat(Events.run(new PrivilegeProbingDetector(Thresholds.defaults()), events)).isEmpty();
    }
}
