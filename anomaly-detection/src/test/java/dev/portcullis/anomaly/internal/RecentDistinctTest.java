package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;

class RecentDistinctTest {

    @Test
    void countsDistinctValuesWithinTheWindowOnly() {
        RecentDistinct distinct = new RecentDistinct();
        assertThat(distinct.add(11, 0, 1_000, 8)).isEqualTo(1);
        assertThat(distinct.add(11, 500, 1_000, 8)).isEqualTo(1);
        assertThat(distinct.add(22, 600, 1_000, 8)).isEqualTo(2);
        // 11 was seen again at 500, so it is still within the window at 1 400.
        assertThat(distinct.count(1_400, 1_000)).isEqualTo(2);
        assertThat(distinct.count(1_550, 1_000)).isEqualTo(1);
        assertThat(distinct.count(1_601, 1_000)).isZero();
    }

    @Test
    void onceFullReplacesTheOldestAndStaysAtTheCapacity() {
        RecentDistinct distinct = new RecentDistinct();
        distinct.add(1, 10, 1_000, 3);
        distinct.add(2, 20, 1_000, 3);
        distinct.add(3, 30, 1_000, 3);
        assertThat(distinct.add(4, 40, 1_000, 3)).isEqualTo(3);
        // 1 (the oldest) was replaced: adding it again replaces 2 and the count stays at 3.
        assertThat(distinct.add(1, 50, 1_000, 3)).isEqualTo(3);
        assertThat(distinct.add(3, 60, 1_000, 3)).isEqualTo(3);
        assertThat(distinct.count(1_025, 1_000)).isEqualTo(3);
        // At 1 045 only 1 (50) and 3 (60) remain: 4 (40) has left the window and 2 was replaced.
        assertThat(distinct.count(1_045, 1_000)).isEqualTo(2);
    }

    @Test
    void refusesAnEmptyCapacity() {
        assertThatThrownBy(() -> new RecentDistinct().add(1, 0, 1_000, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsOneValueWithoutAnArrayAndDropsTheArrayOnceTheWindowIsEmpty() {
        RecentDistinct distinct = new RecentDistinct();
        distinct.add(7, 0, 1_000, 8);
        distinct.add(7, 100, 1_000, 8);
        assertThat(distinct.hasArray()).isFalse();
        assertThat(distinct.add(8, 200, 1_000, 8)).isEqualTo(2);
        assertThat(distinct.hasArray()).isTrue();
        // 7 was last seen at 100 and 8 at 200: at 1 150 only 8 is left, moved into the first slot.
        assertThat(distinct.count(1_150, 1_000)).isEqualTo(1);
        assertThat(distinct.add(8, 1_150, 1_000, 8)).isEqualTo(1);
        assertThat(distinct.count(3_000, 1_000)).isZero();
        assertThat(distinct.hasArray()).isFalse();
        assertThat(distinct.add(9, 3_000, 1_000, 8)).isEqualTo(1);
    }

    @Test
    void givesTheSameCountsAsTwoSeparateFullSizeArrays() {
        Random random = new Random(11);
        for (int run = 0; run < 300; run++) {
            int capacity = 1 + random.nextInt(20);
            long window = 1 + random.nextInt(5_000);
            RecentDistinct distinct = new RecentDistinct();
            PlainRecentDistinct reference = new PlainRecentDistinct(capacity);
            long t = random.nextLong(1L << 40);
            for (int op = 0; op < 300; op++) {
                t += random.nextInt(10) == 0 ? -random.nextLong(window) : random.nextLong(window / 3 + 1);
                if (random.nextInt(4) == 0) {
                    assertThat(distinct.count(t, window)).isEqualTo(reference.count(t, window));
                } else {
                    int hash = random.nextInt(2 * capacity + 1) - capacity;
                    assertThat(distinct.add(hash, t, window, capacity)).isEqualTo(reference.add(hash, t, window));
                }
            }
        }
    }

    /** Hashes and times in two arrays allocated at full capacity: the layout before, as the reference. */
    private static final class PlainRecentDistinct {
        private final int[] hashes;
        private final long[] seenAt;
        private int size;

        PlainRecentDistinct(int capacity) {
            hashes = new int[capacity];
            seenAt = new long[capacity];
        }

        int add(int hash, long t, long window) {
            count(t, window);
            for (int i = 0; i < size; i++) {
                if (hashes[i] == hash) {
                    seenAt[i] = Math.max(seenAt[i], t);
                    return size;
                }
            }
            int at = size;
            if (size < hashes.length) {
                size++;
            } else {
                at = 0;
                for (int i = 1; i < size; i++) {
                    if (seenAt[i] < seenAt[at]) {
                        at = i;
                    }
                }
            }
            hashes[at] = hash;
            seenAt[at] = t;
            return size;
        }

        int count(long t, long window) {
            int w = 0;
            for (int r = 0; r < size; r++) {
                if (seenAt[r] >= t - window) {
                    hashes[w] = hashes[r];
                    seenAt[w] = seenAt[r];
                    w++;
                }
            }
            size = w;
            return size;
        }
    }
}
