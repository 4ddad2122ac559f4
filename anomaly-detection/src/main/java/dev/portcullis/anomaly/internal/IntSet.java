package dev.portcullis.anomaly.internal;

/**
 * A small set of 32-bit hashes with a hard capacity, stored in a sorted-free primitive array and
 * searched linearly (the sets it serves hold tens of values). Once full, {@link #add} replaces
 * values round-robin, so a set that keeps learning forgets its oldest entries first.
 */
public final class IntSet {

    private int[] values;
    private final int capacity;
    private int size;
    private int replaceNext;

    public IntSet(int initialCapacity, int capacity) {
        if (capacity < 1 || initialCapacity < 1 || initialCapacity > capacity) {
            throw new IllegalArgumentException("need 1 <= initialCapacity <= capacity");
        }
        this.values = new int[initialCapacity];
        this.capacity = capacity;
    }

    public boolean contains(int value) {
        for (int i = 0; i < size; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    /** Adds {@code value}; returns false when it was already present. */
    public boolean add(int value) {
        if (contains(value)) {
            return false;
        }
        if (size == values.length && values.length < capacity) {
            values = java.util.Arrays.copyOf(values, Math.min(capacity, values.length * 2));
        }
        if (size < values.length) {
            values[size++] = value;
        } else {
            values[replaceNext] = value;
            replaceNext = (replaceNext + 1) % values.length;
        }
        return true;
    }

    /** How many values of this set {@code other} does not contain. */
    public int countNotIn(IntSet other) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!other.contains(values[i])) {
                n++;
            }
        }
        return n;
    }

    /** Adds every value of {@code other} (a full set replaces its oldest values, as {@link #add} does). */
    public void addAll(IntSet other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    public void clear() {
        size = 0;
        replaceNext = 0;
    }

    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == capacity;
    }
}
