package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Thresholds;

class EntityStatesTest {

    private static final class State extends EntityStates.State {
        final String name;

        State(String name) {
            this.name = name;
        }
    }

    @Test
    void seenCreatesOnceAndKeepsTheLatestTime() {
        EntityStates<State> states = new EntityStates<>(10, 1_000);
        State first = states.seen("alice", 500, () -> new State("alice"));
        State again = states.seen("alice", 400, () -> new State("other"));

        assertThat(again).isSameAs(first);
        assertThat(first.lastSeen).isEqualTo(500);
        assertThat(states.seen("alice", 900, () -> new State("other")).lastSeen).isEqualTo(900);
        assertThat(states.size()).isEqualTo(1);
    }

    @Test
    void evictIdleDropsOnlyEntitiesIdleForLongerThanTheLimit() {
        EntityStates<State> states = new EntityStates<>(10, 1_000);
        states.seen("old", 0, () -> new State("old"));
        states.seen("recent", 1_500, () -> new State("recent"));
        List<String> closed = new ArrayList<>();

        states.evictIdle(1_000, s -> closed.add(s.name));
        assertThat(closed).isEmpty();
        states.evictIdle(1_001, s -> closed.add(s.name));

        assertThat(closed).containsExactly("old");
        assertThat(states.get("old")).isNull();
        assertThat(states.get("recent")).isNotNull();

        states.evictIdle(2_501);
        assertThat(states.size()).isZero();
    }

    @Test
    void dropsTheLeastRecentlyUsedEntityToStayWithinMaxEntries() {
        EntityStates<State> states = new EntityStates<>(2, 1_000);
        states.seen("a", 0, () -> new State("a"));
        states.seen("b", 1, () -> new State("b"));
        states.seen("a", 2, () -> new State("a"));
        states.seen("c", 3, () -> new State("c"));

        assertThat(states.size()).isEqualTo(2);
        assertThat(states.get("b")).isNull();
        assertThat(states.evictedForRoom()).isEqualTo(1);
    }

    @Test
    void boundedReadsMaxEntitiesWithAFloorOfOne() {
        Thresholds t = Thresholds.of(Map.of("d.max-entities", "0"));
        EntityStates<State> states = EntityStates.bounded(t, "d", 1_000_000, 1_000);
        states.seen("a", 0, () -> new State("a"));
        states.seen("b", 0, () -> new State("b"));

        assertThat(states.size()).isEqualTo(1);
        assertThat(t.effective()).containsExactly(Map.entry("d.max-entities", "0"));
    }

    @Test
    void boundedWithIdleReadsMaxEntitiesThenIdle() {
        Thresholds t = Thresholds.of(Map.of("d.idle", "1s"));
        EntityStates<State> states = EntityStates.boundedWithIdle(t, "d", 100_000, Duration.ofDays(35));
        states.seen("a", 0, () -> new State("a"));
        states.evictIdle(1_001);

        assertThat(states.size()).isZero();
        assertThat(new ArrayList<>(t.effective().entrySet()))
                .containsExactly(Map.entry("d.max-entities", "100000"), Map.entry("d.idle", "1s"));
    }

    @Test
    void forEachVisitsLeastRecentlyUsedFirstAndRemoveUnlinks() {
        EntityStates<State> states = new EntityStates<>(10, 1_000);
        for (String name : List.of("a", "b", "c", "d")) {
            states.seen(name, 0, () -> new State(name));
        }
        states.get("b");
        states.remove("c");
        List<String> order = new ArrayList<>();
        states.forEach((key, s) -> order.add(key + "=" + s.name));

        assertThat(order).containsExactly("a=a", "d=d", "b=b");
        assertThat(states.get("c")).isNull();
        assertThat(states.size()).isEqualTo(3);
    }

    @Test
    void refusesAStateThatAlreadyBelongsToAKey() {
        EntityStates<State> states = new EntityStates<>(10, 1_000);
        State shared = states.seen("a", 0, () -> new State("a"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> states.seen("b", 0, () -> shared))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void behavesAsAnAccessOrderedLinkedHashMapWithTheSameLimits() {
        java.util.Random random = new java.util.Random(3);
        for (int run = 0; run < 50; run++) {
            int max = 1 + random.nextInt(300);
            long idle = 1 + random.nextInt(500);
            EntityStates<State> states = new EntityStates<>(max, idle);
            ReferenceStates reference = new ReferenceStates(max, idle);
            long t = 0;
            for (int op = 0; op < 3_000; op++) {
                t += random.nextInt(5);
                // Integer keys collide in few buckets and strings spread: both kinds, as detectors use both.
                Object key = random.nextBoolean() ? (Object) random.nextInt(400) : "k" + random.nextInt(400);
                switch (random.nextInt(10)) {
                    case 0 -> {
                        states.remove(key);
                        reference.map.remove(key);
                    }
                    case 1 -> {
                        State got = states.get(key);
                        State expected = reference.map.get(key);
                        assertThat(got == null ? null : got.name).isEqualTo(expected == null ? null : expected.name);
                    }
                    case 2 -> {
                        List<String> closed = new ArrayList<>();
                        List<String> expected = new ArrayList<>();
                        states.evictIdle(t, s -> closed.add(s.name));
                        reference.evictIdle(t, expected);
                        assertThat(closed).isEqualTo(expected);
                    }
                    default -> {
                        String name = key + "@" + op;
                        State s = states.seen(key, t, () -> new State(name));
                        State r = reference.map.computeIfAbsent(key, k -> new State(name));
                        r.lastSeen = Math.max(r.lastSeen, t);
                        assertThat(s.name).isEqualTo(r.name);
                    }
                }
                assertThat(states.size()).isEqualTo(reference.map.size());
            }
            List<String> order = new ArrayList<>();
            states.forEach((key, s) -> order.add(key + "=" + s.name + "@" + s.lastSeen));
            List<String> expectedOrder = new ArrayList<>();
            reference.map.forEach((key, s) -> expectedOrder.add(key + "=" + s.name + "@" + s.lastSeen));
            assertThat(order).isEqualTo(expectedOrder);
            assertThat(states.evictedForRoom()).isEqualTo(reference.evictedForRoom);
        }
    }

    /** The {@code LinkedHashMap} in access order that {@link EntityStates} was before it held its own links. */
    private static final class ReferenceStates {
        final int max;
        final long idle;
        long evictedForRoom;
        final java.util.LinkedHashMap<Object, State> map;

        ReferenceStates(int max, long idle) {
            this.max = max;
            this.idle = idle;
            this.map = new java.util.LinkedHashMap<>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<Object, State> eldest) {
                    if (size() > ReferenceStates.this.max) {
                        evictedForRoom++;
                        return true;
                    }
                    return false;
                }
            };
        }

        void evictIdle(long now, List<String> closed) {
            var it = map.values().iterator();
            while (it.hasNext()) {
                State s = it.next();
                if (s.lastSeen >= now - idle) {
                    break;
                }
                closed.add(s.name);
                it.remove();
            }
        }
    }
}
