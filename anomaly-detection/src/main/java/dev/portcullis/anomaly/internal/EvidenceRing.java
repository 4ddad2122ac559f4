package dev.portcullis.anomaly.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The ids of the most recent evidence events, oldest first, in a fixed-size ring. Ids in the audit
 * log's own form (ULIDs) are kept as 16 bytes each ({@link EventIds}) rather than as strings, which
 * would otherwise keep each event's id alive for as long as the entity is tracked; other ids are
 * kept as they are.
 *
 * <p>Slot 0 of the ring is two fields of the ring itself, the other slots an array made when the
 * ring grows past one: most rings hold the one event of an entity that never came near an alert,
 * and a {@code long[2]} for it would cost 32 bytes where the fields cost 16.
 */
public final class EvidenceRing {

    private final int capacity;
    /** Slot 0: the id's high and low 64 bits when it is compact. */
    private long high0;
    private long low0;
    /** Slots 1, 2, ...: two longs per slot, as slot 0; null while the ring has one slot. */
    private long[] more;
    /** Null until an id that is not compact arrives; then the ids that are not, by slot. */
    private String[] others;
    private int next;
    private int size;

    /**
     * Starts with one slot and grows to {@code capacity}: a ring is read only when its entity
     * alerts, and most entities that have one never fill it.
     */
    public EvidenceRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
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
        int slots = slots();
        if (size == slots && size < capacity) {
            // Still filling: the ring is in order from 0, so growing keeps the order.
            slots = Math.min(capacity, size * 2);
            more = more == null ? new long[2 * (slots - 1)] : java.util.Arrays.copyOf(more, 2 * (slots - 1));
            if (others != null) {
                others = java.util.Arrays.copyOf(others, slots);
            }
            next = size;
        }
        if (pack(id, next)) {
            if (others != null) {
                others[next] = null;
            }
        } else {
            if (others == null) {
                others = new String[slots];
            }
            others[next] = id;
        }
        next = (next + 1) % slots;
        if (size < slots) {
            size++;
        }
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        others = null;
        next = 0;
        size = 0;
    }

    public List<String> toList() {
        int slots = slots();
        List<String> out = new ArrayList<>(size);
        int start = (next - size + slots) % slots;
        for (int i = 0; i < size; i++) {
            int slot = (start + i) % slots;
            String other = others == null ? null : others[slot];
            out.add(other != null ? other : slot == 0 ? EventIds.decode(high0, low0)
                    : EventIds.decode(more[2 * slot - 2], more[2 * slot - 1]));
        }
        return out;
    }

    /** Whether the ring has grown past its first slot (for tests of the compact form). */
    boolean hasArray() {
        return more != null;
    }

    private int slots() {
        return 1 + (more == null ? 0 : more.length / 2);
    }

    /** Stores {@code id}'s 128 bits in {@code slot} when it is compact, and says whether it was. */
    private boolean pack(String id, int slot) {
        if (slot > 0) {
            return EventIds.pack(id, more, 2 * slot - 2);
        }
        if (!EventIds.isCompact(id)) {
            return false;
        }
        high0 = EventIds.high(id);
        low0 = EventIds.low(id);
        return true;
    }
}
