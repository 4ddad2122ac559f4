package dev.portcullis.keys.rotation;

import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

import dev.portcullis.keys.catalog.ManagedKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Micrometer meters of key rotation, all tagged with the key's name ({@code key}) and purpose:
 * <ul>
 *   <li>{@code portcullis.keys.age} (seconds): age of the newest version;
 *   <li>{@code portcullis.keys.time.to.rotation} (seconds): time until the key is due; negative
 *       when due or overdue;
 *   <li>{@code portcullis.keys.overdue} (0 or 1);
 *   <li>{@code portcullis.keys.version.latest}, {@code portcullis.keys.version.min.decryption};
 *   <li>{@code portcullis.keys.rotation.runs} (counter, tag {@code outcome}, a
 *       {@link RotationOutcome} in lower case);
 *   <li>{@code portcullis.keys.rewrapped} (counter, tag {@code result}: {@code ok} | {@code failed}).
 * </ul>
 * Gauges read the service's last status of each key (refreshed by every scheduler tick), so a
 * scrape never calls Vault; age and time to rotation are computed at scrape time from it with the
 * clock; a key never read yet reports NaN.
 */
public final class KeyRotationMetrics {

    private final MeterRegistry registry;
    private final Clock clock;

    public KeyRotationMetrics(MeterRegistry registry, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    /** Registers the gauges of every Transit key of {@code service}'s catalog. */
    public void bind(KeyRotationService service) {
        for (ManagedKey key : service.catalog().keys()) {
            if (!key.purpose().isTransit()) {
                continue;
            }
            gauge(service, key, "portcullis.keys.age", "Age of the key's newest version", "seconds",
                    s -> java.time.Duration.between(s.latestCreated(), clock.instant()).toMillis() / 1000.0);
            gauge(service, key, "portcullis.keys.time.to.rotation",
                    "Time until the key is due for rotation; negative when due or overdue", "seconds",
                    s -> s.timeToNextRotation(clock.instant()).toMillis() / 1000.0);
            gauge(service, key, "portcullis.keys.overdue", "1 when the key is overdue for rotation", null,
                    s -> s.overdue() ? 1 : 0);
            gauge(service, key, "portcullis.keys.version.latest", "The key's newest version", null,
                    s -> s.latestVersion());
            gauge(service, key, "portcullis.keys.version.min.decryption", "The key's min_decryption_version", null,
                    s -> s.minDecryptionVersion());
        }
    }

    private void gauge(KeyRotationService service, ManagedKey key, String name, String description, String unit,
            ToDoubleFunction<KeyStatus> value) {
        Gauge.builder(name, service, s -> {
                    KeyStatus status = s.lastStatus().get(key.name());
                    return status == null ? Double.NaN : value.applyAsDouble(status);
                })
                .description(description)
                .baseUnit(unit)
                .tag("key", key.name())
                .tag("purpose", key.purpose().configName())
                .register(registry);
    }

    void rotationRun(String key, RotationOutcome outcome) {
        Counter.builder("portcullis.keys.rotation.runs")
                .description("Rotation runs per key and outcome")
                .tag("key", key)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }

    void rewrapped(String key, long ok, long failed) {
        Counter.builder("portcullis.keys.rewrapped").description("Stored data keys re-wrapped after a rotation")
                .tag("key", key).tag("result", "ok").register(registry).increment(ok);
        Counter.builder("portcullis.keys.rewrapped").description("Stored data keys re-wrapped after a rotation")
                .tag("key", key).tag("result", "failed").register(registry).increment(failed);
    }
}
