package dev.portcullis.anomaly.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.portcullis.anomaly.Thresholds;

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

    /**
     * States bounded by the detector's {@code <detector>.max-entities} threshold (at least 1) and an
     * idle limit the detector derives itself (e.g. twice its window). One place for the key, its floor
     * and its read order, so that every detector's memory bound is configured the same way.
     */
    public static <S extends State> EntityStates<S> bounded(Thresholds t, String detector, int defaultMaxEntities,
            long idleMillis) {
        return new EntityStates<>(maxEntities(t, detector, defaultMaxEntities), idleMillis);
    }

    /**
     * States bounded by {@code <detector>.max-entities} as in {@link #bounded}, and by an idle limit
     * read from {@code <detector>.idle} (after {@code max-entities}), for detectors whose state is a
     * long-lived baseline rather than a window.
     */
    public static <S extends State> EntityStates<S> boundedWithIdle(Thresholds t, String detector,
            int defaultMaxEntities, Duration defaultIdle) {
        int maxEntities = maxEntities(t, detector, defaultMaxEntities);
        return new EntityStates<>(maxEntities, t.duration(detector + ".idle", defaultIdle).toMillis());
    }

    private static int maxEntities(Thresholds t, String detector, int defaultMaxEntities) {
        return Math.max(1, t.integer(detector + ".max-entities", defaultMaxEntities));
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

    /**
     * The state of {@code key}, created by {@code factory} when absent, marked as recently used and
     * as seen at {@code t} (epoch ms), which is what {@link #evictIdle} goes by. Detectors call this
     * once per event they keep state for, so that none forgets to keep {@code lastSeen} current.
     */
    public S seen(Object key, long t, Supplier<S> factory) {
        S state = getOrCreate(key, factory);
        state.lastSeen = Math.max(state.lastSeen, t);
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

    /** Drops every entity idle for longer than the idle limit, for detectors with nothing to close. */
    public void evictIdle(long now) {
        evictIdle(now, state -> { });
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
