package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Thresholds;

class CooldownTest {

    private static final class State extends EntityStates.State {
    }

    @Test
    void allowsOneAlertPerEntityPerCooldown() {
        Cooldown cooldown = Cooldown.read(Thresholds.of(Map.of("d.cooldown", "10s")), "d");
        State alice = new State();
        State bob = new State();

        assertThat(cooldown.tryAlert(alice, 1_000)).isTrue();
        assertThat(cooldown.tryAlert(alice, 10_999)).isFalse();
        assertThat(cooldown.tryAlert(bob, 5_000)).isTrue();
        assertThat(cooldown.tryAlert(alice, 11_000)).isTrue();
        assertThat(cooldown.tryAlert(alice, 20_999)).isFalse();
    }

    @Test
    void aRefusedAlertDoesNotExtendTheCooldown() {
        Cooldown cooldown = Cooldown.read(Thresholds.of(Map.of("d.cooldown", "10s")), "d");
        State alice = new State();
        assertThat(cooldown.tryAlert(alice, 0)).isTrue();
        assertThat(cooldown.tryAlert(alice, 9_000)).isFalse();

        assertThat(cooldown.tryAlert(alice, 10_000)).isTrue();
    }

    @Test
    void defaultsToAnHourAndRecordsTheKey() {
        Thresholds t = Thresholds.defaults();
        Cooldown cooldown = Cooldown.read(t, "d");
        State alice = new State();
        assertThat(cooldown.tryAlert(alice, 0)).isTrue();
        assertThat(cooldown.tryAlert(alice, 3_599_999)).isFalse();
        assertThat(cooldown.tryAlert(alice, 3_600_000)).isTrue();

        assertThat(t.effective()).containsExactly(Map.entry("d.cooldown", "1h"));
    }

    @Test
    void aStateEvictedAndMadeAgainStartsUnmutedAndItsMuteIsForgotten() {
        Cooldown cooldown = Cooldown.read(Thresholds.of(Map.of("d.cooldown", "1h")), "d");
        EntityStates<State> states = new EntityStates<>(10, 60_000);
        State first = states.seen("alice", 0, State::new);
        State other = states.seen("bob", 50_000, State::new);
        assertThat(cooldown.tryAlert(first, 0)).isTrue();
        assertThat(cooldown.tryAlert(other, 50_000)).isTrue();

        states.evictIdle(61_000); // alice idle for over a minute: dropped; bob still tracked
        cooldown.forgetDropped();
        assertThat(cooldown.remembered()).isEqualTo(1);
        assertThat(cooldown.tryAlert(other, 60_000)).isFalse();

        // Within alice's old cooldown, but her new state is a new entity to the detector.
        State again = states.seen("alice", 62_000, State::new);
        assertThat(again).isNotSameAs(first);
        assertThat(cooldown.tryAlert(again, 62_000)).isTrue();
        assertThat(cooldown.tryAlert(again, 63_000)).isFalse();
    }

    @Test
    void forgetsTheMuteOfAStateDroppedForRoom() {
        Cooldown cooldown = Cooldown.read(Thresholds.of(Map.of("d.cooldown", "1h")), "d");
        EntityStates<State> states = new EntityStates<>(1, 60_000);
        State alice = states.seen("alice", 0, State::new);
        assertThat(cooldown.tryAlert(alice, 0)).isTrue();
        states.seen("bob", 1, State::new); // at most one entity: alice is dropped
        cooldown.forgetDropped();
        assertThat(cooldown.remembered()).isZero();
    }
}
