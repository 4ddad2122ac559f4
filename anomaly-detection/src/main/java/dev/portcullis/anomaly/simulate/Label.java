package dev.portcullis.anomaly.simulate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.portcullis.anomaly.Entity;

/**
 * One injected attack: its class, the entity a good alert names, its time span and the ids of the
 * events it consists of. One JSON line per label in the simulator's label file.
 */
public record Label(String instance, AttackClass attackClass, Entity entity, Instant start, Instant end,
        List<String> eventIds) {

    public Label {
        Objects.requireNonNull(instance, "instance cannot be null");
        Objects.requireNonNull(attackClass, "attackClass cannot be null");
        Objects.requireNonNull(entity, "entity cannot be null");
        eventIds = List.copyOf(eventIds);
    }
}
