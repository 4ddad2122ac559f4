package dev.portcullis.anomaly.internal;

import java.time.Duration;
import java.util.Locale;

import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Thresholds;

/** Wording and scoring shared by the rule detectors, so that every alert reads the same way. */
public final class Explain {

    private Explain() {
    }

    /**
     * The score of a rule that fires at {@code threshold}: 0.5 exactly at the threshold, rising
     * towards 1 as the observed value grows past it ({@code 1 - threshold / (2 * observed)}).
     */
    public static double ruleScore(double observed, double threshold) {
        if (threshold <= 0) {
            return 1.0;
        }
        double s = 1.0 - threshold / (2.0 * Math.max(observed, threshold));
        return Math.round(s * 1000) / 1000.0;
    }

    /** A span for people: {@code 250 s}, {@code 14 min}, {@code 3.5 h}. */
    public static String span(long millis) {
        long s = Math.max(0, millis / 1000);
        if (s < 600) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }

    public static String window(Duration d) {
        return Thresholds.format(d);
    }

    public static String decimal(double v) {
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** An entity for people, its kind first: {@code subject alice}, {@code ip 203.0.113.7}. */
    public static String entity(Entity entity) {
        return entity.kind().wireName() + " " + shorten(entity.value());
    }

    /** A count with its noun: {@code 1 IP}, {@code 4 IPs}. */
    public static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    /** Truncates a value taken from an event so that one alert cannot carry an unbounded string. */
    public static String shorten(String value) {
        if (value == null) {
            return "unknown";
        }
        return value.length() <= 120 ? value : value.substring(0, 117) + "...";
    }
}
