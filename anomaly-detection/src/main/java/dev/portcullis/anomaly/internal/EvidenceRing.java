package dev.portcullis.anomaly.internal;

import java.util.ArrayList;
import java.util.List;

/** The ids of the most recent evidence events, oldest first, in a fixed-size ring. */
public final class EvidenceRing {

    private final int capacity;
    private String[] ids;
    private int next;
    private int size;

    /** Starts small and grows to {@code capacity}. */
    public EvidenceRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.ids = new String[Math.min(capacity, 2)];
    }

    public void add(String id) {
        if (size == ids.length && size < capacity) {
            // Still filling: the ring is in order from 0, so growing keeps the order.
            ids = java.util.Arrays.copyOf(ids, Math.min(capacity, size * 2));
            next = size;
        }
        ids[next] = id;
        next = (next + 1) % ids.length;
        if (size < ids.length) {
            size++;
        }
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        java.util.Arrays.fill(ids, null);
        next = 0;
        size = 0;
    }

    public List<String> toList() {
        List<String> out = new ArrayList<>(size);
        int start = (next - size + ids.length) % ids.length;
        for (int i = 0; i < size; i++) {
            out.add(ids[(start + i) % ids.length]);
        }
        return out;
    }
}
