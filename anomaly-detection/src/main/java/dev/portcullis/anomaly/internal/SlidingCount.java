package dev.portcullis.anomaly.internal;

/**
 * An approximate sliding-window sum in a fixed number of buckets: the total covers the last
 * {@code buckets} bucket widths (the oldest bucket partly), in {@code 16 + 4 * buckets} bytes plus
 * the object. Events older than the window are ignored; older events within it still count.
 *
 * <p>It also remembers when the current burst began: the time of the last {@link #add} that found
 * the window empty. The detectors report that as an alert's start, and keeping it here means each
 * of them does not have to check for an empty window before every add.
 */
public final class SlidingCount {

    private final int[] counts;
    private final long bucketMillis;
    private long head = Long.MIN_VALUE;
    private long burstStart;

    public SlidingCount(int buckets, long windowMillis) {
        if (buckets < 1 || windowMillis < buckets) {
            throw new IllegalArgumentException("need at least one bucket of at least 1 ms");
        }
        this.counts = new int[buckets];
        this.bucketMillis = windowMillis / buckets;
    }

    /**
     * Adds {@code n} at time {@code t} (epoch ms) and returns the window's total; when the window was
     * empty at {@code t}, {@code t} becomes the {@link #burstStart}.
     */
    public int add(long t, int n) {
        long bucket = Math.floorDiv(t, bucketMillis);
        advance(bucket);
        if (total() == 0) {
            burstStart = t;
        }
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

    /** The time (epoch ms) of the last {@link #add} that found the window empty; 0 before any. */
    public long burstStart() {
        return burstStart;
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
