package dev.portcullis.anomaly.internal;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;

import dev.portcullis.anomaly.Thresholds;

/**
 * At most one alert per entity per cooldown, so that an attack that goes on for an hour gives one
 * alert, not one per event. It exists so that every rule detector reads {@code <detector>.cooldown}
 * (default {@link #DEFAULT}) and mutes an entity in the same way.
 *
 * <p>The mute times are kept here, by state, for the entities that alerted: few of the entities a
 * detector tracks ever alert, and a field in every state cost 8 bytes for each of them. A mute
 * belongs to the state object, not to the entity's key, so an entity whose state was evicted and
 * made again starts unmuted, as when the mute time lived in the state; {@link #forgetDropped}
 * frees the mute times of evicted states. One detector owns one instance; not thread-safe.
 */
public final class Cooldown {

    /** The cooldown of a detector that does not override {@code <detector>.cooldown}. */
    public static final Duration DEFAULT = Duration.ofHours(1);

    private final long millis;
    /** Until when (epoch ms) each state that alerted may not alert again; by identity. */
    private final Map<EntityStates.State, Long> mutedUntil = new IdentityHashMap<>();

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
    public boolean tryAlert(EntityStates.State state, long t) {
        Long until = mutedUntil.get(state);
        if (until != null && t < until) {
            return false;
        }
        mutedUntil.put(state, t + millis);
        return true;
    }

    /**
     * Forgets the mute times of states that their {@link EntityStates} has dropped. Detectors call
     * it after evicting, so that this map holds no more states than the detector tracks.
     */
    public void forgetDropped() {
        if (!mutedUntil.isEmpty()) {
            mutedUntil.keySet().removeIf(state -> state.key() == null);
        }
    }

    /** How many states have a mute time (for tests). */
    int remembered() {
        return mutedUntil.size();
    }
}
