package dev.portcullis.anomaly.internal;

import java.time.Duration;

import dev.portcullis.anomaly.Thresholds;

/**
 * At most one alert per entity per cooldown, so that an attack that goes on for an hour gives one
 * alert, not one per event. It exists so that every rule detector reads {@code <detector>.cooldown}
 * (default {@link #DEFAULT}) and mutes an entity in the same way; the mute time lives in the
 * entity's own state ({@link State}), so it is evicted with it.
 */
public final class Cooldown {

    /** The cooldown of a detector that does not override {@code <detector>.cooldown}. */
    public static final Duration DEFAULT = Duration.ofHours(1);

    /** Per-entity state of a detector with a cooldown: until when the entity may not alert again. */
    public abstract static class State extends EntityStates.State {
        private long mutedUntil = Long.MIN_VALUE;
    }

    private final long millis;

    private Cooldown(long millis) {
        this.millis = millis;
    }

    /** The cooldown in {@code <detector>.cooldown}, {@link #DEFAULT} unless overridden. */
    public static Cooldown read(Thresholds t, String detector) {
        return new Cooldown(t.duration(detector + ".cooldown", DEFAULT).toMillis());
    }

    /**
     * True when the entity may alert at {@code t} (epoch ms), and then mutes it until a cooldown
     * after {@code t}; false, changing nothing, while it is muted. Call it last in an alert's
     * condition, so that only an alert that is raised starts a cooldown.
     */
    public boolean tryAlert(State state, long t) {
        if (t < state.mutedUntil) {
            return false;
        }
        state.mutedUntil = t + millis;
        return true;
    }
}
