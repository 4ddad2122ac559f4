package dev.portcullis.anomaly.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Per-entity detector state with bounded memory, keyed by the event's own value string or an
 * {@link dev.portcullis.anomaly.Entity} (which shares that string, so no key is copied): at most {@code maxEntries} entities (the least
 * recently used one is dropped to make room) and none idle for longer than the idle limit (dropped by
 * {@link #evictIdle}). Not thread-safe; one detector owns one instance.
 *
 * @param <S> the state kept per entity
 */
public final class EntityStates<S extends EntityStates.State> {

    /** The base of a per-entity state: when the entity was last seen, in epoch milliseconds. */
    public abstract static class State {
        public long lastSeen;
    }

    private final int maxEntries;
    private final long idleMillis;
    private final LinkedHashMap<Object, S> map;
    private long evictedForRoom;

    public EntityStates(int maxEntries, long idleMillis) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        if (idleMillis < 1) {
            throw new IllegalArgumentException("idleMillis must be at least 1, was " + idleMillis);
        }
        this.maxEntries = maxEntries;
        this.idleMillis = idleMillis;
        this.map = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, S> eldest) {
                if (size() > EntityStates.this.maxEntries) {
                    evictedForRoom++;
                    return true;
                }
                return false;
            }
        };
    }

    /** The state of {@code key}, or null; marks it as recently used. */
    public S get(Object key) {
        return map.get(key);
    }

    /** The state of {@code key}, created by {@code factory} when absent; marks it as recently used. */
    public S getOrCreate(Object key, Supplier<S> factory) {
        S state = map.get(key);
        if (state == null) {
            state = factory.get();
            map.put(key, state);
        }
        return state;
    }

    public void remove(Object key) {
        map.remove(key);
    }

    /**
     * Drops, least recently used first, every entity last seen more than the idle limit before
     * {@code now}, handing each to {@code beforeEviction} first (e.g. to close its window).
     */
    public void evictIdle(long now, Consumer<S> beforeEviction) {
        long cutoff = now - idleMillis;
        Iterator<S> it = map.values().iterator();
        while (it.hasNext()) {
            S state = it.next();
            if (state.lastSeen >= cutoff) {
                // Access order approximates last-seen order: stop at the first entity still in use.
                break;
            }
            beforeEviction.accept(state);
            it.remove();
        }
    }

    /** Visits every entity and its state without changing the use order. */
    public void forEach(java.util.function.BiConsumer<Object, S> visitor) {
        map.forEach(visitor);
    }

    public int size() {
        return map.size();
    }

    /** How many entities were dropped to stay within {@code maxEntries}. */
    public long evictedForRoom() {
        return evictedForRoom;
    }
}
