package dev.portcullis.keys.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RotationScheduleTest {

    private static final Instant CREATED = Instant.parse("2026-11-23T10:15:30Z");

    @Test
    void aDurationIsCountedFromTheNewestVersionsCreation() {
        RotationSchedule s = RotationSchedule.parse("PT12H", Duration.ZERO);
        assertThat(s.nextRotation("k", 3, CREATED)).isEqualTo(Instant.parse("2026-11-23T22:15:30Z"));
    }

    @Test
    void aCalendarPeriodIsAddedInUtc() {
        RotationSchedule s = RotationSchedule.parse("P1M", Duration.ZERO);
        assertThat(s.nextRotation("k", 1, CREATED)).isEqualTo(Instant.parse("2026-12-23T10:15:30Z"));
    }

    @Test
    void aCronScheduleFiresAtTheNextMatchAfterCreation() {
        RotationSchedule s = RotationSchedule.parse("cron:0 0 3 * * MON", Duration.ZERO);
        // 2026-11-23 is a Monday; 03:00 passed already, so the next Monday.
        assertThat(s.nextRotation("k", 1, CREATED)).isEqualTo(Instant.parse("2026-11-30T03:00:00Z"));
    }

    @Test
    void shortestIntervalLooksAtEveryFiringOfTheYearNotOnlyTheFirstTwo() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        // Twice a year: on 1 January at midnight and 30 seconds later.
        assertThat(RotationSchedule.parse("cron:0,30 0 0 1 1 *", Duration.ZERO).shortestInterval(from))
                .isEqualTo(Duration.ofSeconds(30));
        // Monthly, except that June also fires on the 2nd.
        assertThat(RotationSchedule.parse("cron:0 0 3 1 * *", Duration.ZERO).shortestInterval(from)).isEqualTo(Duration.ofDays(28));
        assertThat(RotationSchedule.parse("cron:0 0 3 1,2 6 *", Duration.ZERO).shortestInterval(from)).isEqualTo(Duration.ofDays(1));
        assertThat(RotationSchedule.parse("cron:0 * * * * *", Duration.ZERO).shortestInterval(from)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void jitterIsTheSameForTheSameKeyVersionAndWithinBounds() {
        RotationSchedule s = RotationSchedule.parse("PT1H", Duration.ofMinutes(10));
        Instant a = s.nextRotation("portcullis-fields", 4, CREATED);
        Instant b = s.nextRotation("portcullis-fields", 4, CREATED);
        assertThat(a).isEqualTo(b);
        assertThat(a).isBetween(CREATED.plus(Duration.ofHours(1)), CREATED.plus(Duration.ofMinutes(70)));
        // Different versions spread out (these two inputs give different offsets).
        assertThat(s.jitterFor("portcullis-fields", 4)).isNotEqualTo(s.jitterFor("portcullis-fields", 5));
    }

    @Test
    void badTextsAreRefusedWithTheAcceptedForms() {
        assertThatThrownBy(() -> RotationSchedule.parse("30 days", Duration.ZERO)).hasMessageContaining("P30D");
        assertThatThrownBy(() -> RotationSchedule.parse("cron:61 * * * * *", Duration.ZERO)).hasMessageContaining("six fields");
        assertThatThrownBy(() -> RotationSchedule.parse("PT0S", Duration.ZERO)).hasMessageContaining("positive");
    }
}
