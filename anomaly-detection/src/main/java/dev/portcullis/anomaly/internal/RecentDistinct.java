package dev.portcullis.anomaly.internal;

/**
 * Distinct values seen within a sliding time window, by 32-bit hash, up to a fixed capacity: once
 * full, the oldest value is replaced and the count stays at the capacity (it is then a lower
 * bound, which is all a threshold needs). Hash collisions can make the count low by one now and
 * then; that errs towards not alerting.
 */
public final class RecentDistinct {

    private final int capacity;
    private int[] hashes;
    private long[] seenAt;
    private int size;

    /** Starts small and grows to {@code capacity}: most entities only ever see a value or two. */
    public RecentDistinct(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.hashes = new int[Math.min(capacity, 2)];
        this.seenAt = new long[hashes.length];
    }

    /** Records {@code hash} at {@code t}; returns the distinct count within {@code window} of {@code t}. */
    public int add(int hash, long t, long window) {
        prune(t - window);
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash) {
                seenAt[i] = Math.max(seenAt[i], t);
                return size;
            }
        }
        if (size == hashes.length && size < capacity) {
            int grown = Math.min(capacity, size * 2);
            hashes = java.util.Arrays.copyOf(hashes, grown);
            seenAt = java.util.Arrays.copyOf(seenAt, grown);
        }
        if (size < hashes.length) {
            hashes[size] = hash;
            seenAt[size] = t;
            size++;
        } else {
            int oldest = 0;
            for (int i = 1; i < size; i++) {
                if (seenAt[i] < seenAt[oldest]) {
                    oldest = i;
                }
            }
            hashes[oldest] = hash;
            seenAt[oldest] = t;
        }
        return size;
    }

    /** The distinct count within {@code window} of {@code t}. */
    public int count(long t, long window) {
        prune(t - window);
        return size;
    }

    public int capacity() {
        return capacity;
    }

    private void prune(long cutoff) {
        int w = 0;
        for (int r = 0; r < size; r++) {
            if (seenAt[r] >= cutoff) {
                hashes[w] = hashes[r];
                seenAt[w] = seenAt[r];
                w++;
            }
        }
        size = w;
    }
}
