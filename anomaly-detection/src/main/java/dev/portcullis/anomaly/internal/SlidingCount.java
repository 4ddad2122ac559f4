package dev.portcullis.anomaly.internal;

/**
 * An approximate sliding-window sum in a fixed number of buckets: the total covers the last
 * {@code buckets} bucket widths (the oldest bucket partly), in {@code 16 + 4 * buckets} bytes plus
 * the object. Events older than the window are ignored; older events within it still count.
 */
public final class SlidingCount {

    private final int[] counts;
    private final long bucketMillis;
    private long head = Long.MIN_VALUE;

    public SlidingCount(int buckets, long windowMillis) {
        if (buckets < 1 || windowMillis < buckets) {
            throw new IllegalArgumentException("need at least one bucket of at least 1 ms");
        }
        this.counts = new int[buckets];
        this.bucketMillis = windowMillis / buckets;
    }

    /** Adds {@code n} at time {@code t} (epoch ms) and returns the window's total. */
    public int add(long t, int n) {
        long bucket = Math.floorDiv(t, bucketMillis);
        advance(bucket);
        long age = head - bucket;
        if (age < counts.length) {
            int i = (int) Math.floorMod(bucket, (long) counts.length);
            counts[i] = saturatedAdd(counts[i], n);
        }
        return total();
    }

    /** The window's total as of time {@code t}. */
    public int totalAt(long t) {
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
        int sum = 0;
        for (int c : counts) {
            sum = saturatedAdd(sum, c);
        }
        return sum;
    }

    private static int saturatedAdd(int a, int b) {
        long s = (long) a + b;
        return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) s;
    }
}
