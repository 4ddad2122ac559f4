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

class ServiceIdentityMisuseDetectorTest {

    private static final String CHECKOUT = "spiffe://portcullis.test/ns/shop/sa/checkout";
    private final Actor checkout = Events.workload(CHECKOUT);

    private List<AuditEvent> learning() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String path = i % 2 == 0 ? "/orders/" + (1000 + i) : "/payments/" + java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) i});
            events.add(Events.request(T0.plusSeconds(900L * i), checkout, i % 2 == 0 ? "GET" : "POST", path, Outcome.ALLOW));
        }
        return events;
    }

    @Test
    void firesWhenAWorkloadCallsARouteOutsideItsLearnedSet() {
        List<AuditEvent> events = learning();
        AuditEvent lateral = Events.request(T0.plusSeconds(900L * 401), checkout, "GET", "/admin/users/17", Outcome.ALLOW);
        events.add(lateral);

        List<Alert> alerts = Events.run(new ServiceIdentityMisuseDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo(Entity.spiffe(CHECKOUT));
            assertThat(a.severity()).isEqualTo(Severity.HIGH);
            assertThat(a.eventIds()).containsExactly(lateral.id());
            assertThat(a.explanation()).isEqualTo("workload " + CHECKOUT + " called GET /admin/users/{id} (allowed),"
                    + " outside the 2 routes it was seen to call in 100.3 h of history (an admin route)");
        });
    }

    @Test
    void firesWhenAWorkloadCallsTwoNewOrdinaryRoutesWithinTheWindow() {
        List<AuditEvent> events = learning();
        AuditEvent first = Events.request(T0.plusSeconds(900L * 401), checkout, "GET", "/customers/17", Outcome.ALLOW);
        AuditEvent second = Events.request(T0.plusSeconds(900L * 401 + 120), checkout, "GET", "/ledger/9", Outcome.DENY);
        events.add(first);
        events.add(second);

        List<Alert> alerts = Events.run(new ServiceIdentityMisuseDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(a.start()).isEqualTo(first.time());
            assertThat(a.eventIds()).containsExactly(first.id(), second.id());
            assertThat(a.explanation()).isEqualTo("workload " + CHECKOUT + " called 2 new routes within 120 s, the last"
                    + " GET /ledger/{id} (denied), outside the 2 routes it was seen to call in 100.3 h of history"
                    + " (limit 2 new routes within 10m)");
        });
    }

    @Test
    void quietOnTheBenignTwinOfADeploymentThatAddsOneRouteAndCallsItOften() {
        List<AuditEvent> events = learning();
        for (int i = 0; i < 50; i++) {
            events.add(Events.request(T0.plusSeconds(900L * 401 + 60L * i), checkout, "GET", "/customers/" + i, Outcome.ALLOW));
        }
        assertThat(Events.run(new ServiceIdentityMisuseDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietWhenTwoNewRoutesAreFurtherApartThanTheWindow() {
        List<AuditEvent> events = learning();
        events.add(Events.request(T0.plusSeconds(900L * 401), checkout, "GET", "/customers/17", Outcome.ALLOW));
        events.add(Events.request(T0.plusSeconds(900L * 401 + 3600), checkout, "GET", "/ledger/9", Outcome.ALLOW));
        assertThat(Events.run(new ServiceIdentityMisuseDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietOnTheBenignTwinOfTheSameRoutesWithNewIds() {
        List<AuditEvent> events = learning();
        events.add(Events.request(T0.plusSeconds(900L * 401), checkout, "GET", "/orders/999999", Outcome.ALLOW));
        events.add(Events.request(T0.plusSeconds(900L * 402), checkout, "POST",
                "/payments/0b0b4a62-2c6f-4a8c-9d0e-94d5f1c07c3e?retry=1", Outcome.ALLOW));
        assertThat(Events.run(new ServiceIdentityMisuseDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietWhileLearning() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(Events.request(T0.plusSeconds(60L * i), checkout, "GET", "/route" + (char) ('a' + i % 26), Outcome.ALLOW));
        }
        assertThat(Events.run(new ServiceIdentityMisuseDetector(Thresholds.defaults()), events)).isEmpty();
    }
}
