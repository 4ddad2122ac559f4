package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlidingCountTest {

    @Test
    void sumsTheEventsWithinTheWindow() {
        SlidingCount count = new SlidingCount(10, 10_000);
        assertThat(count.add(0, 1)).isEqualTo(1);
        assertThat(count.add(5_000, 2)).isEqualTo(3);
        assertThat(count.totalAt(9_999)).isEqualTo(3);
        assertThat(count.totalAt(10_000)).isEqualTo(2);
        assertThat(count.totalAt(15_000)).isZero();
    }

    @Test
    void theBurstStartsAtTheFirstAddIntoAnEmptyWindow() {
        SlidingCount count = new SlidingCount(10, 10_000);
        count.add(1_000, 1);
        count.add(4_000, 1);
        assertThat(count.burstStart()).isEqualTo(1_000);

        // Still within the window of the last event: the same burst.
        count.add(12_000, 1);
        assertThat(count.burstStart()).isEqualTo(1_000);

        // The window emptied: a new burst.
        count.add(30_000, 1);
        assertThat(count.burstStart()).isEqualTo(30_000);
    }

    @Test
    void anEventTooOldForTheWindowIsNotCounted() {
        SlidingCount count = new SlidingCount(10, 10_000);
        count.add(50_000, 1);
        assertThat(count.add(1_000, 1)).isEqualTo(1);
    }
}
