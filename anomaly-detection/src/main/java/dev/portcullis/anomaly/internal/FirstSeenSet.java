package dev.portcullis.anomaly.internal;

/**
 * A bounded set of 32-bit hashes that remembers when each was first seen (seconds, at least 0,
 * after a base time the owner keeps). Once full, the value least recently first-seen is replaced,
 * so a subject who moves networks over the years keeps the recent ones.
 *
 * <p>The first value is kept in two fields and the others, hash and time interleaved, in an array
 * made for the second and doubled up to the capacity: most subjects use one network, browser and
 * client, and then the set has no array at all. The owner passes the capacity on each
 * {@link #add} (it is the same for all of a detector's sets), and the size is where the first
 * unused slot is (its time is {@link #UNUSED}): a set is three fields, 24 bytes.
 */
public final class FirstSeenSet {

    /** The time of an unused slot; a value's time is at least 0. */
    private static final int UNUSED = -1;

    /** Value 0; {@link #UNUSED} as its time while the set is empty. */
    private int hash0;
    private int seconds0 = UNUSED;
    /**
     * Values 1, 2, ...: {@code [hash1, firstSeen1, hash2, firstSeen2, ...]}, the used ones first;
     * null while there are fewer than two.
     */
    private int[] more;

    /** Seconds after the base at which {@code hash} was first seen, or -1 when it never was. */
    public int firstSeen(int hash) {
        if (seconds0 == UNUSED) {
            return -1;
        }
        if (hash0 == hash) {
            return seconds0;
        }
        if (more != null) {
            for (int i = 0; i < more.length && more[i + 1] != UNUSED; i += 2) {
                if (more[i] == hash) {
                    return more[i + 1];
                }
            }
        }
        return -1;
    }

    /**
     * Records {@code hash} as seen at {@code seconds} (at least 0) after the base, unless already
     * known, in a set of at most {@code capacity} values (the same on every call to one set).
     */
    public void add(int hash, int seconds, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        if (seconds < 0) {
            throw new IllegalArgumentException("seconds must be at least 0, was " + seconds);
        }
        if (firstSeen(hash) >= 0) {
            return;
        }
        int size = size();
        if (size < capacity) {
            if (size == 0) {
                hash0 = hash;
                seconds0 = seconds;
                return;
            }
            int slots = more == null ? 0 : more.length / 2;
            if (size - 1 == slots) {
                // Room for size * 2 values in all, as one array doubling from one value would have.
                int grown = Math.min(capacity, 2 * size) - 1;
                int[] larger = new int[2 * grown];
                for (int i = 2 * slots + 1; i < larger.length; i += 2) {
                    larger[i] = UNUSED;
                }
                if (more != null) {
                    System.arraycopy(more, 0, larger, 0, more.length);
                }
                more = larger;
            }
            more[2 * (size - 1)] = hash;
            more[2 * (size - 1) + 1] = seconds;
            return;
        }
        // Full: replace the value first seen longest ago (the first such, in insertion order).
        int oldest = 0;
        int oldestSeconds = seconds0;
        for (int i = 1; i < size; i++) {
            if (more[2 * (i - 1) + 1] < oldestSeconds) {
                oldest = i;
                oldestSeconds = more[2 * (i - 1) + 1];
            }
        }
        if (oldest == 0) {
            hash0 = hash;
            seconds0 = seconds;
        } else {
            more[2 * (oldest - 1)] = hash;
            more[2 * (oldest - 1) + 1] = seconds;
        }
    }

    public int size() {
        if (seconds0 == UNUSED) {
            return 0;
        }
        int size = 1;
        if (more != null) {
            while (2 * size - 1 < more.length && more[2 * size - 1] != UNUSED) {
                size++;
            }
        }
        return size;
    }
}
