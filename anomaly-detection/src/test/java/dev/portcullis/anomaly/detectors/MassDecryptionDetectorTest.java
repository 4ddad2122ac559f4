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
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;

class MassDecryptionDetectorTest {

    private final Actor agent = Events.user("support-7", "198.51.100.30", "Firefox");

    /** 30 working hours in which the agent decrypts about 30 fields an hour (3 fields per lookup). */
    private static List<AuditEvent> history(Actor actor) {
        List<AuditEvent> events = new ArrayList<>();
        for (int h = 0; h < 30; h++) {
            Instant hour = T0.plusSeconds(3600L * (h % 8) + 86_400L * (h / 8));
            for (int i = 0; i < 10; i++) {
                events.add(Events.decrypt(hour.plusSeconds(300L * i), actor, 3));
            }
        }
        return events;
    }

    @Test
    void firesWhenAPrincipalDecryptsFarAboveItsBaseline() {
        List<AuditEvent> events = history(agent);
        Instant exfil = T0.plusSeconds(86_400L * 5);
        for (int i = 0; i < 40; i++) {
            events.add(Events.decrypt(exfil.plusSeconds(30L * i), agent, 50));
        }

        List<Alert> alerts = Events.run(new MassDecryptionDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo(Entity.subject("support-7"));
            assertThat(a.start()).isEqualTo(exfil);
            assertThat(a.explanation()).startsWith("subject support-7 decrypted").contains("its usual 30 per active hour");
        });
    }

    @Test
    void quietOnTheBenignTwinOfABusyHourThreeTimesTheUsual() {
        List<AuditEvent> events = history(agent);
        Instant busy = T0.plusSeconds(86_400L * 5);
        for (int i = 0; i < 30; i++) {
            events.add(Events.decrypt(busy.plusSeconds(100L * i), agent, 3));
        }
        assertThat(Events.run(new MassDecryptionDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void firesOnABrandNewAccountThatStartsWithThousandsOfFields() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(Events.decrypt(T0.plusSeconds(10L * i), Events.user("new-hire", "198.51.100.31", "Firefox"), 100));
        }
        assertThat(Events.run(new MassDecryptionDetector(Thresholds.defaults()), events))
                .singleElement().satisfies(a -> assertThat(a.explanation()).contains("no baseline yet"));
    }
}
