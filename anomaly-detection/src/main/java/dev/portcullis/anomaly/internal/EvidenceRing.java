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

    /**
     * Adds {@code id} to {@code ring}, first starting a ring of {@code capacity} when there is none
     * and {@code start} holds; returns the ring to keep, still null when none was started. For
     * detectors that keep evidence only once an entity comes near an alert, so that the many
     * entities that never do cost no ring.
     */
    public static EvidenceRing addOnceStarted(EvidenceRing ring, boolean start, int capacity, String id) {
        EvidenceRing kept = ring == null && start ? new EvidenceRing(capacity) : ring;
        if (kept != null) {
            kept.add(id);
        }
        return kept;
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
