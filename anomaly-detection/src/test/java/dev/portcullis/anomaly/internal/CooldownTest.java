package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Thresholds;

class CooldownTest {

    private static final class State extends Cooldown.State {
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
}
