package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SlidingCountTest {

    @Test
    void sumsTheEventsWithinTheWindow() {
        SlidingCount count = new SlidingCount(10);
        assertThat(count.add(0, 1, 10_000)).isEqualTo(1);
        assertThat(count.add(5_000, 2, 10_000)).isEqualTo(3);
        assertThat(count.totalAt(9_999, 10_000)).isEqualTo(3);
        assertThat(count.totalAt(10_000, 10_000)).isEqualTo(2);
        assertThat(count.totalAt(15_000, 10_000)).isZero();
    }

    @Test
    void theBurstStartsAtTheFirstAddIntoAnEmptyWindow() {
        SlidingCount count = new SlidingCount(10);
        count.add(1_000, 1, 10_000);
        count.add(4_000, 1, 10_000);
        assertThat(count.burstStart()).isEqualTo(1_000);

        // Still within the window of the last event: the same burst.
        count.add(12_000, 1, 10_000);
        assertThat(count.burstStart()).isEqualTo(1_000);

        // The window emptied: a new burst.
        count.add(30_000, 1, 10_000);
        assertThat(count.burstStart()).isEqualTo(30_000);
    }

    @Test
    void anEventTooOldForTheWindowIsNotCounted() {
        SlidingCount count = new SlidingCount(10);
        count.add(50_000, 1, 10_000);
        assertThat(count.add(1_000, 1, 10_000)).isEqualTo(1);
    }
    @Test
    void keepsNoBucketArrayWhileEveryCountIsInTheNewestBucketAndDropsItOnceTheWindowHasPassed() {
        SlidingCount count = new SlidingCount(10);
        assertThat(count.add(0, 1, 10_000)).isEqualTo(1);
        assertThat(count.add(999, 2, 10_000)).isEqualTo(3);
        assertThat(count.spreadOverBuckets()).isFalse();

        assertThat(count.add(1_000, 1, 10_000)).isEqualTo(4);
        assertThat(count.spreadOverBuckets()).isTrue();

        // A whole window later every bucket is empty again.
        assertThat(count.totalAt(11_000, 10_000)).isZero();
        assertThat(count.spreadOverBuckets()).isFalse();
        assertThat(count.add(11_500, 5, 10_000)).isEqualTo(5);
        assertThat(count.burstStart()).isEqualTo(11_500);
    }

    @Test
    void aLateEventWithinTheWindowSpreadsTheCountOverBuckets() {
        SlidingCount count = new SlidingCount(10);
        count.add(5_000, 1, 10_000);
        assertThat(count.add(3_000, 1, 10_000)).isEqualTo(2);
        assertThat(count.spreadOverBuckets()).isTrue();
        assertThat(count.totalAt(13_999, 10_000)).isEqualTo(1);
        assertThat(count.totalAt(15_000, 10_000)).isZero();
    }

    @Test
    void refusesAWindowShorterThanOneMillisecondPerBucket() {
        assertThatThrownBy(() -> new SlidingCount(10).add(0, 1, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlidingCount(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givesTheSameTotalsAndBurstStartsAsAPlainBucketArray() {
        java.util.Random random = new java.util.Random(7);
        for (int run = 0; run < 300; run++) {
            int buckets = 1 + random.nextInt(12);
            long window = buckets * (1 + random.nextInt(2_000));
            SlidingCount count = new SlidingCount(buckets);
            PlainSlidingCount reference = new PlainSlidingCount(buckets, window);
            long t = random.nextInt(1_000_000) - 500_000;
            for (int op = 0; op < 200; op++) {
                int step = random.nextInt(4);
                // Mostly small steps, now and then a jump past the window, now and then a late event.
                t += step == 0 ? random.nextLong(3 * window) : step == 1 ? -random.nextLong(window) : random.nextLong(window / 4 + 1);
                if (random.nextInt(3) == 0) {
                    assertThat(count.totalAt(t, window)).isEqualTo(reference.totalAt(t));
                } else {
                    int n = random.nextInt(10) == 0 ? Integer.MAX_VALUE - random.nextInt(3) : 1 + random.nextInt(5);
                    assertThat(count.add(t, n, window)).isEqualTo(reference.add(t, n));
                }
                assertThat(count.burstStart()).isEqualTo(reference.burstStart);
            }
        }
    }

    /** The bucket array without the compact form: the implementation before it, as the reference. */
    private static final class PlainSlidingCount {
        private final int[] counts;
        private final long bucketMillis;
        private long head = Long.MIN_VALUE;
        long burstStart;

        PlainSlidingCount(int buckets, long windowMillis) {
            counts = new int[buckets];
            bucketMillis = windowMillis / buckets;
        }

        int add(long t, int n) {
            long bucket = Math.floorDiv(t, bucketMillis);
            advance(bucket);
            if (total() == 0) {
                burstStart = t;
            }
            if (head - bucket < counts.length) {
                int i = (int) Math.floorMod(bucket, (long) counts.length);
                counts[i] = (int) Math.min(Integer.MAX_VALUE, (long) counts[i] + n);
            }
            return total();
        }

        int totalAt(long t) {
            advance(Math.floorDiv(t, bucketMillis));
            return total();
        }

        private void advance(long bucket) {
            if (head == Long.MIN_VALUE) {
                head = bucket;
                return;
            }
            if (bucket <= head) {
                return;
            }
            long steps = Math.min(bucket - head, counts.length);
            for (long s = 1; s <= steps; s++) {
                counts[(int) Math.floorMod(head + s, (long) counts.length)] = 0;
            }
            head = bucket;
        }

        private int total() {
            long sum = 0;
            for (int c : counts) {
                sum += c;
            }
            return (int) Math.min(Integer.MAX_VALUE, sum);
        }
    }
}
