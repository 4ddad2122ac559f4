package dev.portcullis.anomaly.internal;

import java.util.ArrayList;
import java.util.List;

/** The ids of the most recent evidence events, oldest first, in a fixed-size ring. */
public final class EvidenceRing {

    private final String[] ids;
    private int next;
    private int size;

    public EvidenceRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.ids = new String[capacity];
    }

    public void add(String id) {
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
