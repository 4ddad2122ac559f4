package dev.portcullis.anomaly.internal;

/**
 * Distinct values seen within a sliding time window, by 32-bit hash, up to a capacity: once full,
 * the oldest value is replaced and the count stays at the capacity (it is then a lower bound,
 * which is all a threshold needs). Hash collisions can make the count low by one now and then;
 * that errs towards not alerting.
 *
 * <p>The owner passes the window and the capacity on each call instead of every instance storing
 * them: a detector keeps one of these per entity, all with the same two settings. The first value
 * is kept in two fields and the others, hash and time interleaved, in an array made for the second
 * value and doubled up to the capacity: most entities see one IP, user agent or resource per
 * window, and then there is no array at all. The array is dropped again once the window is empty.
 */
public final class RecentDistinct {

    /** Value 0 (valid while {@code size > 0}): its hash and when it was last seen, epoch ms. */
    private int hash0;
    private long seenAt0;
    /** Values 1, 2, ...: {@code [hash1, seenAt1, hash2, seenAt2, ...]}; null while fewer than two fit. */
    private long[] more;
    private int size;

    /**
     * Records {@code hash} at {@code t}; returns the distinct count within {@code window} of
     * {@code t}. {@code capacity} (at least 1) MUST be the same on every call to one instance.
     */
    public int add(int hash, long t, long window, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        prune(t - window);
        for (int i = 0; i < size; i++) {
            if (hashAt(i) == hash) {
                setSeenAt(i, Math.max(seenAt(i), t));
                return size;
            }
        }
        int slots = slots();
        if (size == slots && size < capacity) {
            // The same growth as one array doubling from one slot: room for 2, 4, 8, ... values.
            int grown = Math.min(capacity, size * 2) - 1;
            more = more == null ? new long[2 * grown] : java.util.Arrays.copyOf(more, 2 * grown);
            slots = grown + 1;
        }
        int at;
        if (size < slots) {
            at = size++;
        } else {
            at = 0;
            for (int i = 1; i < size; i++) {
                if (seenAt(i) < seenAt(at)) {
                    at = i;
                }
            }
        }
        set(at, hash, t);
        return size;
    }

    /** The distinct count within {@code window} of {@code t}. */
    public int count(long t, long window) {
        prune(t - window);
        return size;
    }

    /** Whether values past the first have an array (for tests of the compact form). */
    boolean hasArray() {
        return more != null;
    }

    private int slots() {
        return 1 + (more == null ? 0 : more.length / 2);
    }

    private int hashAt(int i) {
        return i == 0 ? hash0 : (int) more[2 * i - 2];
    }

    private long seenAt(int i) {
        return i == 0 ? seenAt0 : more[2 * i - 1];
    }

    private void setSeenAt(int i, long seenAt) {
        if (i == 0) {
            seenAt0 = seenAt;
        } else {
            more[2 * i - 1] = seenAt;
        }
    }

    private void set(int i, int hash, long seenAt) {
        if (i == 0) {
            hash0 = hash;
            seenAt0 = seenAt;
        } else {
            more[2 * i - 2] = hash;
            more[2 * i - 1] = seenAt;
        }
    }

    private void prune(long cutoff) {
        int w = 0;
        for (int r = 0; r < size; r++) {
            long seenAt = seenAt(r);
            if (seenAt >= cutoff) {
                if (w != r) {
                    set(w, hashAt(r), seenAt);
                }
                w++;
            }
        }
        size = w;
        if (size == 0) {
            more = null; // the window has passed: back to the compact form
        }
    }
}
