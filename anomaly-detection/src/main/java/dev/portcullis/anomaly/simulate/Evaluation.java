package dev.portcullis.anomaly.simulate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.DetectionEngine;
import dev.portcullis.anomaly.Detector;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.detectors.Detectors;

/**
 * The evaluation of the detectors on the labelled simulator: for each seed, simulate, run every
 * detector over the events, and match the alerts to the injected attacks.
 *
 * <p>Matching: an alert detects an attack instance when it shares an event id with it, or names
 * the instance's entity with a time span overlapping the instance's. Per attack class:
 * <b>recall</b> = instances detected by any alert / instances. Per detector: <b>precision</b> =
 * its alerts that detect some attack / its alerts. A <b>false alert</b> detects no attack; the
 * false-alert rate is false alerts per 100,000 benign events.
 */
public final class Evaluation {

    /** One seed's outcome. */
    public record SeedResult(long seed, long benignEvents, long attackEvents, Map<AttackClass, int[]> detectedOfTotal,
            Map<String, int[]> trueOfAlerts, int falseAlerts, double seconds) {
    }

    /** Everything the report needs. */
    public record Report(List<SeedResult> seeds, Map<String, String> thresholds, TrafficSimulator.Config firstConfig,
            Map<AttackClass, Map<String, Integer>> detectedBy, List<String> falseAlertExamples) {

        public long benignEvents() {
            return seeds.stream().mapToLong(SeedResult::benignEvents).sum();
        }

        public int falseAlerts() {
            return seeds.stream().mapToInt(SeedResult::falseAlerts).sum();
        }

        public double falsePer100k() {
            return benignEvents() == 0 ? 0 : falseAlerts() * 100_000.0 / benignEvents();
        }

        public int[] recall(AttackClass c) {
            int detected = 0;
            int total = 0;
            for (SeedResult s : seeds) {
                int[] v = s.detectedOfTotal().get(c);
                if (v != null) {
                    detected += v[0];
                    total += v[1];
                }
            }
            return new int[] {detected, total};
        }

        public int[] precision(String detector) {
            int truePositive = 0;
            int alerts = 0;
            for (SeedResult s : seeds) {
                int[] v = s.trueOfAlerts().get(detector);
                if (v != null) {
                    truePositive += v[0];
                    alerts += v[1];
                }
            }
            return new int[] {truePositive, alerts};
        }
    }

    private Evaluation() {
    }

    /** Runs the evaluation over {@code seeds} with configurations made by {@code configFor}. */
    public static Report run(List<Long> seeds, java.util.function.LongFunction<TrafficSimulator.Config> configFor,
            Map<String, String> thresholdOverrides, java.util.function.Consumer<String> progress) {
        Objects.requireNonNull(seeds, "seeds cannot be null");
        List<SeedResult> results = new ArrayList<>();
        Map<String, String> thresholds = null;
        Map<AttackClass, Map<String, Integer>> detectedBy = new TreeMap<>();
        List<String> falseExamples = new ArrayList<>();
        TrafficSimulator.Config first = null;
        for (long seed : seeds) {
            long started = System.nanoTime();
            TrafficSimulator.Config config = configFor.apply(seed);
            if (first == null) {
                first = config;
            }
            Thresholds t = Thresholds.of(thresholdOverrides);
            List<Detector> detectors = Detectors.all(t);
            thresholds = new TreeMap<>(t.effective());
            List<Alert> alerts = new ArrayList<>();
            DetectionEngine engine = new DetectionEngine(detectors, alerts::add);
            TrafficSimulator.Result result = new TrafficSimulator(config).run(engine::process);
            engine.finish();

            Map<String, Label> byEvent = new HashMap<>();
            for (Label label : result.labels()) {
                label.eventIds().forEach(id -> byEvent.put(id, label));
            }
            Set<String> detected = new HashSet<>();
            Map<String, int[]> trueOfAlerts = new TreeMap<>();
            int falseAlerts = 0;
            for (Detector d : detectors) {
                trueOfAlerts.put(d.name(), new int[2]);
            }
            for (Alert alert : alerts) {
                Set<Label> matched = new HashSet<>();
                for (String id : alert.eventIds()) {
                    Label l = byEvent.get(id);
                    if (l != null) {
                        matched.add(l);
                    }
                }
                for (Label l : result.labels()) {
                    if (l.entity().equals(alert.entity()) && !alert.end().isBefore(l.start()) && !alert.start().isAfter(l.end())) {
                        matched.add(l);
                    }
                }
                int[] counts = trueOfAlerts.computeIfAbsent(alert.detector(), k -> new int[2]);
                counts[1]++;
                if (matched.isEmpty()) {
                    falseAlerts++;
                    if (falseExamples.size() < 12) {
                        falseExamples.add("seed " + seed + ", " + alert.detector() + ", " + alert.entity().key() + ": "
                                + alert.explanation());
                    }
                } else {
                    counts[0]++;
                    for (Label l : matched) {
                        if (detected.add(l.instance() + "#" + alert.detector())) {
                            detectedBy.computeIfAbsent(l.attackClass(), k -> new TreeMap<>()).merge(alert.detector(), 1, Integer::sum);
                        }
                        detected.add(l.instance());
                    }
                }
            }
            Map<AttackClass, int[]> detectedOfTotal = new LinkedHashMap<>();
            for (Label l : result.labels()) {
                int[] v = detectedOfTotal.computeIfAbsent(l.attackClass(), k -> new int[2]);
                v[1]++;
                if (detected.contains(l.instance())) {
                    v[0]++;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            results.add(new SeedResult(seed, result.benignEvents(), result.attackEvents(), detectedOfTotal, trueOfAlerts,
                    falseAlerts, seconds));
            if (progress != null) {
                progress.accept(String.format(Locale.ROOT, "seed %d: %,d benign and %,d attack events, %d alerts, %d false, %.1f s",
                        seed, result.benignEvents(), result.attackEvents(), alerts.size(), falseAlerts, seconds));
            }
        }
        return new Report(results, thresholds, first, detectedBy, falseExamples);
    }

    /** The report as the Markdown section of {@code docs/anomaly-detection.md}. */
    public static String markdown(Report r, String command) {
        StringBuilder md = new StringBuilder();
        TrafficSimulator.Config c = r.firstConfig();
        md.append("Generated by `").append(command).append("`; do not edit by hand.\n\n");
        md.append(String.format(Locale.ROOT, "Seeds %s; per seed %d users, %d services, %d days from %s, %d attacks of each"
                        + " class injected after day %d. In all: %,d benign events, %,d attack events.%n%n",
                r.seeds().stream().map(s -> Long.toString(s.seed())).toList(), c.users(), c.services(), c.days(),
                c.start(), c.instancesPerClass(), c.warmupDays(), r.benignEvents(),
                r.seeds().stream().mapToLong(SeedResult::attackEvents).sum()));
        md.append("| attack class | meant for | recall | goal ≥ 0.95 | caught by (instances) |\n");
        md.append("|---|---|---|---|---|\n");
        for (AttackClass ac : AttackClass.values()) {
            int[] v = r.recall(ac);
            if (v[1] == 0) {
                continue;
            }
            double recall = (double) v[0] / v[1];
            Map<String, Integer> by = r.detectedBy().getOrDefault(ac, Map.of());
            md.append(String.format(Locale.ROOT, "| %s | %s | %.2f (%d/%d) | %s | %s |%n", ac.wireName(), ac.detector(),
                    recall, v[0], v[1], recall >= 0.95 ? "met" : "**missed**", by.isEmpty() ? "none" : by.toString()));
        }
        md.append("\n| detector | alerts | true | precision |\n|---|---|---|---|\n");
        Map<String, int[]> perDetector = new TreeMap<>();
        for (SeedResult s : r.seeds()) {
            s.trueOfAlerts().forEach((d, v) -> {
                int[] sum = perDetector.computeIfAbsent(d, k -> new int[2]);
                sum[0] += v[0];
                sum[1] += v[1];
            });
        }
        perDetector.forEach((d, v) -> md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s |%n", d, v[1], v[0],
                v[1] == 0 ? "n/a (no alerts)" : String.format(Locale.ROOT, "%.2f", (double) v[0] / v[1]))));
        md.append(String.format(Locale.ROOT, "%nFalse alerts: %d over %,d benign events = **%.2f per 100,000 benign events**"
                + " (goal ≤ 1: %s).%n", r.falseAlerts(), r.benignEvents(), r.falsePer100k(), r.falsePer100k() <= 1 ? "met" : "missed"));
        md.append("\nPer seed:\n\n| seed | benign events | attack events | false alerts | per 100k | seconds |\n|---|---|---|---|---|---|\n");
        for (SeedResult s : r.seeds()) {
            md.append(String.format(Locale.ROOT, "| %d | %,d | %,d | %d | %.2f | %.1f |%n", s.seed(), s.benignEvents(),
                    s.attackEvents(), s.falseAlerts(), s.falseAlerts() * 100_000.0 / Math.max(1, s.benignEvents()), s.seconds()));
        }
        if (!r.falseAlertExamples().isEmpty()) {
            md.append("\nExamples of false alerts (the first few):\n\n");
            r.falseAlertExamples().forEach(e -> md.append("- ").append(e.replace("|", "\\|")).append('\n'));
        }
        md.append("\nThresholds used (defaults unless overridden):\n\n| key | value |\n|---|---|\n");
        r.thresholds().forEach((k, v) -> md.append("| `").append(k).append("` | `").append(v).append("` |\n"));
        return md.toString();
    }
}
