package dev.portcullis.anomaly.internal;

/**
 * Distinct values seen within a sliding time window, by 32-bit hash, up to a fixed capacity: once
 * full, the oldest value is replaced and the count stays at the capacity (it is then a lower
 * bound, which is all a threshold needs). Hash collisions can make the count low by one now and
 * then; that errs towards not alerting.
 *
 * <p>Hashes and times are interleaved in one {@code long[]} ({@code [hash0, seenAt0, hash1, ...]}),
 * which starts with room for one value and doubles up to the capacity: most entities see one IP or
 * user agent per window, and one array costs one header instead of two.
 */
public final class RecentDistinct {

    private final int capacity;
    /** {@code [hash0, seenAt0, hash1, seenAt1, ...]}, the first {@code 2 * size} in use. */
    private long[] entries;
    private int size;

    /** Starts with room for one value and grows to {@code capacity}. */
    public RecentDistinct(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.entries = new long[2];
    }

    /** Records {@code hash} at {@code t}; returns the distinct count within {@code window} of {@code t}. */
    public int add(int hash, long t, long window) {
        prune(t - window);
        for (int i = 0; i < 2 * size; i += 2) {
            if ((int) entries[i] == hash) {
                entries[i + 1] = Math.max(entries[i + 1], t);
                return size;
            }
        }
        int slots = entries.length / 2;
        if (size == slots && size < capacity) {
            entries = java.util.Arrays.copyOf(entries, 2 * Math.min(capacity, size * 2));
            slots = entries.length / 2;
        }
        int at;
        if (size < slots) {
            at = size++;
        } else {
            at = 0;
            for (int i = 1; i < size; i++) {
                if (entries[2 * i + 1] < entries[2 * at + 1]) {
                    at = i;
                }
            }
        }
        entries[2 * at] = hash;
        entries[2 * at + 1] = t;
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
            long seenAt = entries[2 * r + 1];
            if (seenAt >= cutoff) {
                entries[2 * w] = entries[2 * r];
                entries[2 * w + 1] = seenAt;
                w++;
            }
        }
        size = w;
    }
}
