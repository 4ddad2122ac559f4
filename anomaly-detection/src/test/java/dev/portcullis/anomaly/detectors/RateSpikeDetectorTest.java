package dev.portcullis.anomaly.detectors;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Events;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;

class RateSpikeDetectorTest {

    private final Actor carol = Events.user("carol", "198.51.100.9", "Firefox");

    /** Office hours (09-17 UTC) on weekdays, about {@code perHour} requests an hour, light at weekends. */
    private static void history(List<AuditEvent> out, Actor actor, int days, double perHour, double dailyGrowth,
            SplittableRandom random) {
        for (int day = 0; day < days; day++) {
            Instant midnight = T0.minusSeconds(9 * 3600).plusSeconds(86_400L * day);
            boolean weekend = (day % 7) >= 5;
            double rate = perHour * Math.pow(1 + dailyGrowth, day) * (weekend ? 0.1 : 1.0);
            for (int hour = 9; hour < 17; hour++) {
                int n = (int) Math.round(rate * (0.8 + 0.4 * random.nextDouble()));
                for (int i = 0; i < n; i++) {
                    Instant t = midnight.plusSeconds(3600L * hour + random.nextInt(3600));
                    out.add(Events.request(t, actor, "GET", "/orders/" + random.nextInt(1000), Outcome.ALLOW));
                }
            }
        }
    }

    @Test
    void firesWhenAnHourFarExceedsTheEntitysBaselineForThatHour() {
        List<AuditEvent> events = new ArrayList<>();
        history(events, carol, 14, 20, 0, new SplittableRandom(1));
        // Day 14 is a Monday: 400 requests between 10:00 and 10:20.
        Instant burst = T0.plusSeconds(14 * 86_400L + 3600);
        for (int i = 0; i < 400; i++) {
            events.add(Events.request(burst.plusSeconds(3L * i), carol, "GET", "/orders/" + i, Outcome.ALLOW));
        }
        events.sort(java.util.Comparator.comparing(AuditEvent::time));

        List<Alert> alerts = Events.run(new RateSpikeDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.entity()).isEqualTo(Entity.subject("carol"));
            assertThat(a.start()).isEqualTo(burst);
            assertThat(a.explanation()).contains("in the 60 minutes to 10:").contains("(weekday)").contains("its usual");
            assertThat(a.eventIds()).hasSize(20);
        });
    }

    @Test
    void quietOnTheBenignTwinOfABusyHourTwiceTheUsual() {
        List<AuditEvent> events = new ArrayList<>();
        history(events, carol, 14, 20, 0, new SplittableRandom(1));
        Instant busy = T0.plusSeconds(14 * 86_400L + 3600);
        for (int i = 0; i < 45; i++) {
            events.add(Events.request(busy.plusSeconds(60L * i), carol, "GET", "/orders/" + i, Outcome.ALLOW));
        }
        events.sort(java.util.Comparator.comparing(AuditEvent::time));
        assertThat(Events.run(new RateSpikeDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietOnTheBenignTwinOfAnOrdinaryHourWorkedAtAnHourThatIsUsuallyEmpty() {
        List<AuditEvent> events = new ArrayList<>();
        history(events, carol, 14, 30, 0, new SplittableRandom(1));
        // Day 14, a Monday, started early: 55 requests at 06:00, a slot carol never used, over the
        // floor of 50 but under twice her busiest usual hour (about 30).
        Instant early = T0.plusSeconds(14 * 86_400L - 3 * 3600);
        for (int i = 0; i < 55; i++) {
            events.add(Events.request(early.plusSeconds(60L * i), carol, "GET", "/orders/" + i, Outcome.ALLOW));
        }
        events.sort(java.util.Comparator.comparing(AuditEvent::time));
        assertThat(Events.run(new RateSpikeDetector(Thresholds.defaults()), events)).isEmpty();
        // The same hour fires once the busiest-hour term is switched off: the test is about that term.
        assertThat(Events.run(new RateSpikeDetector(Thresholds.of(java.util.Map.of("rate-spike.peak-multiplier", "0"))), events))
                .singleElement().satisfies(a -> assertThat(a.explanation()).contains("its busiest usual hour"));
    }

    @Test
    void quietUnderSlowDriftOfFivePercentADayForSixWeeks() {
        List<AuditEvent> events = new ArrayList<>();
        // From 20 to about 150 requests an hour over 42 days: the baseline follows.
        history(events, carol, 42, 20, 0.05, new SplittableRandom(2));
        events.sort(java.util.Comparator.comparing(AuditEvent::time));
        assertThat(Events.run(new RateSpikeDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void quietDuringWarmupEvenOnABurst() {
        List<AuditEvent> events = new ArrayList<>();
        history(events, carol, 3, 20, 0, new SplittableRandom(3));
        Instant burst = T0.plusSeconds(3 * 86_400L + 3600);
        for (int i = 0; i < 400; i++) {
            events.add(Events.request(burst.plusSeconds(i), carol, "GET", "/orders/" + i, Outcome.ALLOW));
        }
        events.sort(java.util.Comparator.comparing(AuditEvent::time));
        assertThat(Events.run(new RateSpikeDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void weekendHoursHaveTheirOwnSlots() {
        // 2026-11-07 is a Saturday.
        assertThat(RateSpikeDetector.slot(Instant.parse("2026-11-07T03:00:00Z").getEpochSecond() / 3600)).isEqualTo(27);
        assertThat(RateSpikeDetector.slot(Instant.parse("2026-11-06T03:00:00Z").getEpochSecond() / 3600)).isEqualTo(3);
        assertThat(RateSpikeDetector.slot(Instant.parse("2026-11-08T23:00:00Z").getEpochSecond() / 3600)).isEqualTo(47);
        assertThat(RateSpikeDetector.slot(Instant.parse("2026-11-09T00:00:00Z").getEpochSecond() / 3600)).isZero();
    }
}
