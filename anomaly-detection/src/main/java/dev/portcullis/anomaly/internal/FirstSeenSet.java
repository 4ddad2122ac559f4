package dev.portcullis.anomaly.internal;

/**
 * A bounded set of 32-bit hashes that remembers when each was first seen (seconds after a base
 * time the owner keeps). Once full, the value least recently first-seen is replaced, so a subject
 * who moves networks over the years keeps the recent ones.
 *
 * <p>The first value is kept in two fields and the others, hash and time interleaved, in an array
 * made for the second and doubled up to the capacity: most subjects use one network, browser and
 * client, and then the set has no array at all.
 */
public final class FirstSeenSet {

    private final int capacity;
    /** Value 0. */
    private int hash0;
    private int seconds0;
    /** Values 1, 2, ...: {@code [hash1, firstSeen1, hash2, firstSeen2, ...]}; null while there are fewer than two. */
    private int[] more;
    private int size;

    public FirstSeenSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    /** Seconds after the base at which {@code hash} was first seen, or -1 when it never was. */
    public int firstSeen(int hash) {
        if (size > 0 && hash0 == hash) {
            return seconds0;
        }
        for (int i = 0; i < size - 1; i++) {
            if (more[2 * i] == hash) {
                return more[2 * i + 1];
            }
        }
        return -1;
    }

    /** Records {@code hash} as seen at {@code seconds} after the base, unless already known. */
    public void add(int hash, int seconds) {
        if (firstSeen(hash) >= 0) {
            return;
        }
        if (size < capacity) {
            if (size == 0) {
                hash0 = hash;
                seconds0 = seconds;
            } else {
                int slots = more == null ? 0 : more.length / 2;
                if (size - 1 == slots) {
                    // Room for size * 2 values in all, as one array doubling from one value would have.
                    int grown = Math.min(capacity, 2 * size) - 1;
                    more = more == null ? new int[2 * grown] : java.util.Arrays.copyOf(more, 2 * grown);
                }
                more[2 * (size - 1)] = hash;
                more[2 * (size - 1) + 1] = seconds;
            }
            size++;
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
        return size;
    }
}
