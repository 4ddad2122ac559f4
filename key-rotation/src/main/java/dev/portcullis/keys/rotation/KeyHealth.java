package dev.portcullis.keys.rotation;

import java.util.Map;
import java.util.Objects;

/**
 * The health of the managed keys, for the service's health endpoint (the service maps it to a
 * Spring {@code HealthIndicator}): UP when every key was read and none is overdue; WARNING when a
 * key is overdue for rotation; DOWN when a key's state could not be read from Vault.
 *
 * @param problems key name to what is wrong with it (empty when UP)
 */
public record KeyHealth(Status status, Map<String, String> problems) {

    /** Overall status. */
    public enum Status {
        UP, WARNING, DOWN
    }

    public KeyHealth {
        Objects.requireNonNull(status, "status cannot be null");
        problems = Map.copyOf(problems);
    }
}
