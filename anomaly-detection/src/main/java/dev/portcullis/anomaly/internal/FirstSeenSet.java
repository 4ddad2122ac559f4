package dev.portcullis.anomaly.internal;

/**
 * A bounded set of 32-bit hashes that remembers when each was first seen (seconds after a base
 * time the owner keeps). Once full, the value least recently first-seen is replaced, so a subject
 * who moves networks over the years keeps the recent ones.
 *
 * <p>Hash and time are interleaved in one array that starts with room for one value and doubles
 * up to the capacity: most subjects use one or two networks, browsers and clients.
 */
public final class FirstSeenSet {

    private final int capacity;
    /** {@code [hash0, firstSeen0, hash1, firstSeen1, ...]}. */
    private int[] entries;
    private int size;

    public FirstSeenSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.entries = new int[2];
    }

    /** Seconds after the base at which {@code hash} was first seen, or -1 when it never was. */
    public int firstSeen(int hash) {
        for (int i = 0; i < size; i++) {
            if (entries[2 * i] == hash) {
                return entries[2 * i + 1];
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
            if (2 * size == entries.length) {
                entries = java.util.Arrays.copyOf(entries, 2 * Math.min(capacity, 2 * size));
            }
            entries[2 * size] = hash;
            entries[2 * size + 1] = seconds;
            size++;
            return;
        }
        int oldest = 0;
        for (int i = 1; i < size; i++) {
            if (entries[2 * i + 1] < entries[2 * oldest + 1]) {
                oldest = i;
            }
        }
        entries[2 * oldest] = hash;
        entries[2 * oldest + 1] = seconds;
    }

    public int size() {
        return size;
    }
}
