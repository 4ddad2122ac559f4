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
}
