package dev.portcullis.anomaly.internal;

/**
 * An approximate sliding-window sum in a fixed number of buckets: the total covers the last
 * {@code buckets} bucket widths (the oldest bucket partly). Events older than the window are
 * ignored; older events within it still count.
 *
 * <p>While every count is in the newest bucket (an entity seen once, or only within one bucket
 * width, which is most of them), the count is a field and there is no bucket array; the array
 * ({@code 16 + 4 * buckets} bytes) is made when a second bucket gets a count, and dropped again
 * once the whole window has passed without one. The totals are the same either way.
 *
 * <p>It also remembers when the current burst began: the time of the last {@link #add} that found
 * the window empty. The detectors report that as an alert's start, and keeping it here means each
 * of them does not have to check for an empty window before every add.
 *
 * <p>The owner passes the window's length on each call instead of every instance storing it (as
 * for {@link RecentDistinct}): a detector keeps one count per entity, all with the same window.
 */
public final class SlidingCount {

    private final int buckets;
    /** Null while no bucket other than the newest ({@link #head}) has a count. */
    private int[] counts;
    /** The newest bucket's count while {@link #counts} is null. */
    private int headCount;
    private long head = Long.MIN_VALUE;
    private long burstStart;

    /** A count over {@code buckets} buckets, each a {@code buckets}th of the window the owner passes. */
    public SlidingCount(int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("need at least one bucket, was " + buckets);
        }
        this.buckets = buckets;
    }

    /**
     * Adds {@code n} at time {@code t} (epoch ms) and returns the total of the window of
     * {@code windowMillis} (at least one ms per bucket, and the same on every call to one instance);
     * when the window was empty at {@code t}, {@code t} becomes the {@link #burstStart}.
     */
    public int add(long t, int n, long windowMillis) {
        long bucket = Math.floorDiv(t, bucketMillis(windowMillis));
        advance(bucket);
        if (total() == 0) {
            burstStart = t;
        }
        long age = head - bucket;
        if (age == 0 && counts == null) {
            headCount = saturatedAdd(headCount, n);
        } else if (age < buckets) {
            if (counts == null) {
                spread();
            }
            int i = (int) Math.floorMod(bucket, (long) buckets);
            counts[i] = saturatedAdd(counts[i], n);
        }
        return total();
    }

    /** The total of the window of {@code windowMillis} as of time {@code t}. */
    public int totalAt(long t, long windowMillis) {
        advance(Math.floorDiv(t, bucketMillis(windowMillis)));
        return total();
    }

    /** The time (epoch ms) of the last {@link #add} that found the window empty; 0 before any. */
    public long burstStart() {
        return burstStart;
    }

    /** Whether the bucket array exists (for tests of the compact form). */
    boolean spreadOverBuckets() {
        return counts != null;
    }

    private long bucketMillis(long windowMillis) {
        if (windowMillis < buckets) {
            throw new IllegalArgumentException("need buckets of at least 1 ms: a window of " + windowMillis
                    + " ms for " + buckets + " buckets");
        }
        return windowMillis / buckets;
    }

    private void advance(long bucket) {
        if (head == Long.MIN_VALUE) {
            head = bucket;
            return;
        }
        if (bucket <= head) {
            return;
        }
        if (bucket - head >= buckets) {
            // The whole window has passed: every bucket is empty, so the compact form holds again.
            counts = null;
            headCount = 0;
            head = bucket;
            return;
        }
        if (counts == null) {
            if (headCount == 0) {
                head = bucket;
                return;
            }
            spread();
        }
        for (long s = 1; s <= bucket - head; s++) {
            counts[(int) Math.floorMod(head + s, (long) buckets)] = 0;
        }
        head = bucket;
    }

    /** Moves the newest bucket's count into a bucket array. */
    private void spread() {
        counts = new int[buckets];
        counts[(int) Math.floorMod(head, (long) buckets)] = headCount;
        headCount = 0;
    }

    private int total() {
        if (counts == null) {
            return headCount;
        }
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
