package dev.portcullis.anomaly.internal;

/**
 * A bounded set of 32-bit hashes that remembers when each was first seen (seconds after a base
 * time the owner keeps). Once full, the value least recently first-seen is replaced, so a subject
 * who moves networks over the years keeps the recent ones.
 */
public final class FirstSeenSet {

    private final int[] hashes;
    private final int[] firstSeen;
    private int size;

    public FirstSeenSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        hashes = new int[capacity];
        firstSeen = new int[capacity];
    }

    /** Seconds after the base at which {@code hash} was first seen, or -1 when it never was. */
    public int firstSeen(int hash) {
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash) {
                return firstSeen[i];
            }
        }
        return -1;
    }

    /** Records {@code hash} as seen at {@code seconds} after the base, unless already known. */
    public void add(int hash, int seconds) {
        if (firstSeen(hash) >= 0) {
            return;
        }
        if (size < hashes.length) {
            hashes[size] = hash;
            firstSeen[size] = seconds;
            size++;
            return;
        }
        int oldest = 0;
        for (int i = 1; i < size; i++) {
            if (firstSeen[i] < firstSeen[oldest]) {
                oldest = i;
            }
        }
        hashes[oldest] = hash;
        firstSeen[oldest] = seconds;
    }

    public int size() {
        return size;
    }
}
