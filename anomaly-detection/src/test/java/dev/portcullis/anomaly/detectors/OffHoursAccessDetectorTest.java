package dev.portcullis.anomaly.detectors;

import static dev.portcullis.anomaly.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Events;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;

class OffHoursAccessDetectorTest {

    private static final String[] AREAS = {"/invoices", "/customers", "/payments", "/reports", "/ledger", "/exports",
        "/tenants", "/pricing", "/catalog", "/shipments", "/refunds", "/orders"};
    private final Actor alice = Events.user("alice", "10.20.1.7", "Mozilla/5.0 Firefox/133");

    /** Ten weekdays (two weeks) of office work, 09:00-17:00 UTC, on alice's two usual routes. */
    private List<AuditEvent> officeHistory() {
        List<AuditEvent> events = new ArrayList<>();
        for (int day = 0; day < 14; day++) {
            if (day % 7 >= 5) {
                continue; // T0 is a Monday: no weekends
            }
            for (int minute = 0; minute < 8 * 60; minute += 20) {
                Instant t = T0.plus(Duration.ofDays(day)).plus(Duration.ofMinutes(minute));
                events.add(minute % 100 == 0 ? Events.decrypt(t, alice, 2)
                        : Events.request(t, alice, "GET", "/orders/" + (minute + day), Outcome.ALLOW));
            }
        }
        return events;
    }

    /** A night session starting at {@code start}: {@code n} requests two minutes apart over distinct areas. */
    private List<AuditEvent> lookAround(Instant start, int n, int areas) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String area = AREAS[i % areas];
            events.add(Events.request(start.plus(Duration.ofMinutes(2L * i)), alice, "GET",
                    area + "/" + (4000 + i) + "/export", i % 5 == 4 ? Outcome.DENY : Outcome.ALLOW));
        }
        return events;
    }

    /** 02:00 UTC on the night after the history (a Tuesday). */
    private static Instant night(int nth) {
        return T0.plus(Duration.ofDays(15 + nth)).minus(Duration.ofHours(7));
    }

    @Test
    void firesOnANightSessionThatReachesForManyRoutesItNeverCalled() {
        List<AuditEvent> events = officeHistory();
        List<AuditEvent> session = lookAround(night(0), 30, 10);
        events.addAll(session);

        List<Alert> alerts = Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.detector()).isEqualTo(OffHoursAccessDetector.NAME);
            assertThat(a.entity()).isEqualTo(Entity.subject("alice"));
            // Fires at the tenth request (min-requests), which had reached 9 new routes: 3 x the limit.
            assertThat(a.severity()).isEqualTo(Severity.HIGH);
            assertThat(a.start()).isEqualTo(night(0));
            assertThat(a.eventIds()).containsExactlyElementsOf(session.subList(0, 10).stream().map(AuditEvent::id).toList());
            assertThat(a.explanation()).isEqualTo("subject alice active at 02:00-02:59 UTC, an hour of day it was active"
                    + " in on 0 of its 10 active days (off-hours: at most 1), 10 requests in 18 min (2 denied) reaching"
                    + " 10 routes it never called before (limit 3), e.g. GET /invoices/{id}/export,"
                    + " GET /customers/{id}/export, GET /payments/{id}/export");
        });
    }

    @Test
    void aSessionOverTwoClockHoursIsJudgedAsOne() {
        List<AuditEvent> events = officeHistory();
        // 12 requests from 02:40 to 03:13: 7 with 2 new routes before 03:00, 5 with 2 others after.
        Instant start = night(0).plus(Duration.ofMinutes(40));
        List<AuditEvent> session = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String area = i < 7 ? AREAS[i % 2] : AREAS[2 + i % 2];
            session.add(Events.request(start.plus(Duration.ofMinutes(3L * i)), alice, "GET", area + "/" + i + "/export",
                    Outcome.ALLOW));
        }
        events.addAll(session);

        List<Alert> alerts = Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events);

        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.start()).isEqualTo(start);
            assertThat(a.end()).isEqualTo(session.get(9).time()); // the tenth request (min-requests)
            assertThat(a.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(a.explanation()).startsWith("subject alice active at 02:00-03:59 UTC, hours of day it was"
                    + " active in on at most 0 of its 10 active days (off-hours: at most 1), 10 requests in 27 min"
                    + " (0 denied) reaching 4 routes it never called before (limit 3)");
        });
    }

    @Test
    void staysQuietForAnOnCallEngineerWhoWorksNightsNowAndThen() {
        List<AuditEvent> events = officeHistory();
        // Two earlier on-call nights at 02:00-03:00 on the usual routes make the hour usual.
        for (int n = 0; n < 2; n++) {
            Instant shift = T0.plus(Duration.ofDays(3 + 2 * n)).minus(Duration.ofHours(7));
            for (int i = 0; i < 10; i++) {
                events.add(Events.request(shift.plus(Duration.ofMinutes(5L * i)), alice, "GET", "/orders/" + i,
                        Outcome.ALLOW));
            }
        }
        events.sort(java.util.Comparator.comparing(AuditEvent::time));
        events.addAll(lookAround(night(0), 30, 10));

        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void staysQuietForLateWorkOnItsUsualRoutes() {
        List<AuditEvent> events = officeHistory();
        for (int i = 0; i < 40; i++) {
            events.add(Events.request(night(0).plus(Duration.ofMinutes(2L * i)), alice, "GET", "/orders/" + i,
                    Outcome.ALLOW));
        }
        // One new route at night is not breadth either.
        events.add(Events.request(night(0).plus(Duration.ofMinutes(81)), alice, "GET", "/reports/7", Outcome.ALLOW));

        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void staysQuietUntilThePrincipalHasEnoughActiveDays() {
        List<AuditEvent> events = new ArrayList<>(officeHistory().subList(0, 24 * 3)); // three days
        events.addAll(lookAround(T0.plus(Duration.ofDays(4)).minus(Duration.ofHours(7)), 30, 10));

        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events)).isEmpty();
    }

    @Test
    void aGapLongerThanTheSessionGapStartsAFreshSession() {
        List<AuditEvent> events = officeHistory();
        // Two quiet bursts of 6 requests with 2 new routes each, 40 minutes apart: two sessions.
        for (int i = 0; i < 6; i++) {
            events.add(Events.request(night(0).plus(Duration.ofMinutes(i)), alice, "GET", AREAS[i % 2] + "/" + i,
                    Outcome.ALLOW));
        }
        for (int i = 0; i < 6; i++) {
            events.add(Events.request(night(0).plus(Duration.ofMinutes(45 + i)), alice, "GET",
                    AREAS[2 + i % 2] + "/" + i, Outcome.ALLOW));
        }

        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events)).isEmpty();
        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.of(Map.of("off-hours-access.session-gap", "1h"))),
                events)).hasSize(1);
    }

    @Test
    void anAlertingNightTeachesNeitherItsHourNorItsRoutes() {
        List<AuditEvent> events = officeHistory();
        events.addAll(lookAround(night(0), 30, 10));
        events.addAll(lookAround(night(1), 30, 10));

        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events))
                .extracting(Alert::start).containsExactly(night(0), night(1));
    }

    @Test
    void aQuietNightTeachesItsRoutes() {
        List<AuditEvent> events = officeHistory();
        // Night 1: two new routes, below the limit; night 2: the same two and one more, so one new route.
        events.addAll(lookAround(night(0), 12, 2));
        events.addAll(lookAround(night(1), 12, 3));

        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events)).isEmpty();
        // Without the first night, the second night's three routes are all new.
        List<AuditEvent> secondOnly = officeHistory();
        secondOnly.addAll(lookAround(night(1), 12, 3));
        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), secondOnly)).hasSize(1);
    }

    @Test
    void staysQuietForAWorkloadActiveAroundTheClock() {
        Actor billing = Events.workload("spiffe://portcullis.test/ns/billing/sa/billing");
        List<AuditEvent> events = new ArrayList<>();
        for (int minute = 0; minute < 10 * 24 * 60; minute += 15) {
            events.add(Events.request(T0.plus(Duration.ofMinutes(minute)), billing, "GET", "/orders/" + minute,
                    Outcome.ALLOW));
        }
        // New routes at 02:00 are service-identity-misuse's to judge: for this rule no hour is off-hours.
        Instant night = T0.plus(Duration.ofDays(11)).minus(Duration.ofHours(7));
        for (int i = 0; i < 20; i++) {
            events.add(Events.request(night.plus(Duration.ofMinutes(i)), billing, "GET", AREAS[i % 10] + "/" + i,
                    Outcome.ALLOW));
        }

        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events)).isEmpty();
        // The same workload with a profile that ignores its nights would alert: what keeps it quiet is the hour.
        assertThat(Events.run(new OffHoursAccessDetector(Thresholds.defaults()), events.stream()
                .filter(e -> !isNightBeforeDay11(e.time(), night)).toList())).hasSize(1);
    }

    /** An event of the history between 00:00 and 05:59 UTC (not the final night). */
    private static boolean isNightBeforeDay11(Instant time, Instant night) {
        int hour = time.atZone(java.time.ZoneOffset.UTC).getHour();
        return time.isBefore(night) && hour < 6;
    }

    @Test
    void rejectsAMaxUsualDaysTheProfileCannotCount() {
        assertThatThrownBy(() -> new OffHoursAccessDetector(Thresholds.of(Map.of("off-hours-access.max-usual-days", "3"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("off-hours-access.max-usual-days must be 0, 1 or 2");
    }
}
