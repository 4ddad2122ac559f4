package dev.portcullis.anomaly.internal;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.portcullis.anomaly.Thresholds;

/**
 * Per-entity detector state with bounded memory, keyed by the event's own value string or an
 * {@link dev.portcullis.anomaly.Entity} (which shares that string, so no key is copied): at most {@code maxEntries} entities (the least
 * recently used one is dropped to make room) and none idle for longer than the idle limit (dropped by
 * {@link #evictIdle}). Not thread-safe; one detector owns one instance.
 *
 * <p>A hash table with the least-recently-used order of a {@code LinkedHashMap} in access order,
 * but intrusive: the key, the hash chain and the use-order links live in the {@link State} itself,
 * which saves the map entry object (40 bytes) per entity and detector. A state therefore belongs to
 * one instance only.
 *
 * @param <S> the state kept per entity
 */
public final class EntityStates<S extends EntityStates.State> {

    /**
     * The base of a per-entity state: when the entity was last seen, in epoch milliseconds, and the
     * links by which its {@link EntityStates} finds and orders it (owned by that instance).
     */
    public abstract static class State {
        public long lastSeen;
        private Object key;
        /** The next state in the same hash bucket. */
        private State next;
        /** The states used just before and just after this one; null at the ends. */
        private State older;
        private State newer;

        /** The key this state is kept under; null once its {@link EntityStates} dropped it. */
        public final Object key() {
            return key;
        }
    }

    private static final int INITIAL_TABLE = 64;

    private final int maxEntries;
    private final long idleMillis;
    private State[] table = new State[INITIAL_TABLE];
    /** The least and the most recently used state. */
    private State eldest;
    private State newest;
    private int size;
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
        State state = find(key);
        if (state != null) {
            markUsed(state);
        }
        return cast(state);
    }

    /** The state of {@code key}, created by {@code factory} when absent; marks it as recently used. */
    public S getOrCreate(Object key, Supplier<S> factory) {
        State state = find(key);
        if (state != null) {
            markUsed(state);
            return cast(state);
        }
        S created = factory.get();
        State linked = created;
        if (linked.key != null) {
            throw new IllegalStateException("a state belongs to one EntityStates and one key");
        }
        linked.key = key;
        insert(linked);
        if (size > maxEntries) {
            evictedForRoom++;
            unlink(eldest);
        }
        return created;
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
        State state = find(key);
        if (state != null) {
            unlink(state);
        }
    }

    /**
     * Drops, least recently used first, every entity last seen more than the idle limit before
     * {@code now}, handing each to {@code beforeEviction} first (e.g. to close its window).
     */
    public void evictIdle(long now, Consumer<S> beforeEviction) {
        long cutoff = now - idleMillis;
        while (eldest != null && eldest.lastSeen < cutoff) {
            // Use order approximates last-seen order: stop at the first entity still in use.
            State state = eldest;
            beforeEviction.accept(cast(state));
            if (state.key != null) {
                unlink(state);
            }
        }
    }

    /** Drops every entity idle for longer than the idle limit, for detectors with nothing to close. */
    public void evictIdle(long now) {
        evictIdle(now, state -> { });
    }

    /** Visits every entity and its state, least recently used first, without changing the use order. */
    public void forEach(BiConsumer<Object, S> visitor) {
        for (State state = eldest; state != null; state = state.newer) {
            visitor.accept(state.key, cast(state));
        }
    }

    public int size() {
        return size;
    }

    /** How many entities were dropped to stay within {@code maxEntries}. */
    public long evictedForRoom() {
        return evictedForRoom;
    }

    @SuppressWarnings("unchecked")
    private S cast(State state) {
        return (S) state;
    }

    private static int bucket(Object key, int length) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (length - 1);
    }

    private State find(Object key) {
        for (State s = table[bucket(key, table.length)]; s != null; s = s.next) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    private void insert(State state) {
        int b = bucket(state.key, table.length);
        state.next = table[b];
        table[b] = state;
        state.older = newest;
        if (newest == null) {
            eldest = state;
        } else {
            newest.newer = state;
        }
        newest = state;
        // Grows at one state per bucket, not at three quarters as HashMap does: a chain is then
        // 1.5 states long on average at a hit, and the table costs 4 to 8 bytes per state instead
        // of 5.3 to 10.7 (with a million states, 4 MiB per detector instead of 8 MiB).
        if (++size > table.length) {
            grow();
        }
    }

    private void markUsed(State state) {
        if (state == newest) {
            return;
        }
        // Out of the list (it has a newer neighbour, being not the newest) and back in at the newest end.
        if (state.older == null) {
            eldest = state.newer;
        } else {
            state.older.newer = state.newer;
        }
        state.newer.older = state.older;
        state.older = newest;
        state.newer = null;
        newest.newer = state;
        newest = state;
    }

    private void unlink(State state) {
        int b = bucket(state.key, table.length);
        if (table[b] == state) {
            table[b] = state.next;
        } else {
            State p = table[b];
            while (p.next != state) {
                p = p.next;
            }
            p.next = state.next;
        }
        if (state.older == null) {
            eldest = state.newer;
        } else {
            state.older.newer = state.newer;
        }
        if (state.newer == null) {
            newest = state.older;
        } else {
            state.newer.older = state.older;
        }
        state.key = null;
        state.next = null;
        state.older = null;
        state.newer = null;
        size--;
    }

    private void grow() {
        State[] grown = new State[table.length * 2];
        for (State head : table) {
            State s = head;
            while (s != null) {
                State following = s.next;
                int b = bucket(s.key, grown.length);
                s.next = grown[b];
                grown[b] = s;
                s = following;
            }
        }
        table = grown;
    }
}
