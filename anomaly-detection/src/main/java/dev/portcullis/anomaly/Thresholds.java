package dev.portcullis.anomaly;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The detectors' configurable thresholds: overrides by key ({@code credential-stuffing.window=15m}),
 * each detector supplying its own documented default when it reads a key.
 *
 * <p>Every read is recorded with the value in force, so that {@link #effective()} lists exactly the
 * thresholds a run used (the evaluation prints them), and {@link #requireAllUsed()} rejects an
 * override no detector reads: a misspelt key must not silently leave a default in place.
 *
 * <p>Values: integers, decimals, durations ({@code 90s}, {@code 10m}, {@code 2h}, {@code 7d} or
 * ISO-8601 {@code PT10M}), comma-separated lists.
 */
public final class Thresholds {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Map<String, String> overrides;
    private final Map<String, String> effective = new LinkedHashMap<>();

    private Thresholds(Map<String, String> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    /** No overrides: every detector uses its documented defaults. */
    public static Thresholds defaults() {
        return new Thresholds(Map.of());
    }

    public static Thresholds of(Map<String, String> overrides) {
        Objects.requireNonNull(overrides, "overrides cannot be null");
        return new Thresholds(overrides);
    }

    /** Reads overrides from a Java properties file. */
    public static Thresholds load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            map.put(name, properties.getProperty(name).trim());
        }
        return new Thresholds(map);
    }

    public int integer(String key, int defaultValue) {
        String raw = overrides.get(key);
        int value = defaultValue;
        if (raw != null) {
            try {
                value = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                throw invalid(key, "an integer");
            }
        }
        if (value < 0) {
            throw invalid(key, "an integer of at least 0");
        }
        record(key, Integer.toString(value));
        return value;
    }

    public double decimal(String key, double defaultValue) {
        String raw = overrides.get(key);
        double value = defaultValue;
        if (raw != null) {
            try {
                value = Double.parseDouble(raw);
            } catch (NumberFormatException e) {
                throw invalid(key, "a decimal number");
            }
        }
        if (!Double.isFinite(value) || value < 0) {
            throw invalid(key, "a finite number of at least 0");
        }
        record(key, Double.toString(value));
        return value;
    }

    public Duration duration(String key, Duration defaultValue) {
        String raw = overrides.get(key);
        Duration value = raw == null ? defaultValue : parseDuration(key, raw);
        if (value.isNegative() || value.isZero()) {
            throw invalid(key, "a positive duration");
        }
        record(key, format(value));
        return value;
    }

    public List<String> list(String key, List<String> defaultValue) {
        String raw = overrides.get(key);
        List<String> value = defaultValue;
        if (raw != null) {
            value = new ArrayList<>();
            for (String part : raw.split(",")) {
                if (!part.isBlank()) {
                    value.add(part.trim());
                }
            }
        }
        record(key, String.join(",", value));
        return List.copyOf(value);
    }

    /** Every threshold read so far with the value in force, in the order they were read. */
    public Map<String, String> effective() {
        return Collections.unmodifiableMap(effective);
    }

    /**
     * Fails naming every override that no detector read (a misspelt or retired key).
     *
     * @throws IllegalArgumentException listing the unknown keys
     */
    public void requireAllUsed() {
        Set<String> unknown = new TreeSet<>(overrides.keySet());
        unknown.removeAll(effective.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown threshold key(s) " + unknown
                    + "; known keys are listed in docs/anomaly-detection.md");
        }
    }

    /** A duration the way this class writes it: {@code 10m}, {@code 36h}, {@code 7d}, {@code 90s}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1_000L == 0) {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }

    private void record(String key, String value) {
        Objects.requireNonNull(key, "key cannot be null");
        effective.put(key, value);
    }

    private static Duration parseDuration(String key, String raw) {
        Matcher m = SHORT_DURATION.matcher(raw);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(raw);
        } catch (RuntimeException e) {
            throw invalid(key, "a duration such as 90s, 10m, 2h, 7d or PT10M");
        }
    }

    private static IllegalArgumentException invalid(String key, String expected) {
        return new IllegalArgumentException("threshold '" + key + "' must be " + expected);
    }

    @Override
    public String toString() {
        return "Thresholds" + Arrays.toString(overrides.keySet().toArray());
    }
}
