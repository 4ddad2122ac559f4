package dev.portcullis.anomaly.detectors;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Detector;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.forest.IsolationForest;
import dev.portcullis.anomaly.internal.EntityStates;
import dev.portcullis.anomaly.internal.EvidenceRing;
import dev.portcullis.anomaly.internal.Explain;
import dev.portcullis.anomaly.internal.IntSet;
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.Routes;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * The unsupervised detector: an {@link IsolationForest} over per-entity hourly feature windows, for
 * what the rules miss. Each principal's activity is summed per UTC hour into
 * {@value #FEATURES} features ({@link #FEATURE_NAMES}); a closed window is scored against a forest
 * fitted on a reservoir sample of past windows, and an alert names the features that isolated it,
 * with the population's typical value beside each.
 *
 * <p>It counts only what principals verifiably did: requests, decryptions and encryptions.
 * Rejected credentials ({@code authn.failure}) are left out, as their subject is only what the
 * credential claimed: counted, they let anyone push a victim's hour over the threshold (and have the
 * responses disable and block the victim) by sending forged tokens in the victim's name. Failed logins
 * are what {@code brute-force} and {@code credential-stuffing} look at.
 *
 * <p>Model life cycle: windows of entities past {@code warmup-windows} active hours feed a uniform
 * reservoir of {@code training-windows}; the forest is fitted when {@code min-training-windows} have
 * been seen, and refitted after every {@code refit-every} more. The alert threshold is the larger
 * of {@code min-score} and the {@code score-quantile} of the reservoir's own scores at fit time.
 * Until the first fit, and for windows with fewer than {@code min-window-events} events, nothing is
 * scored. Deterministic for a {@code seed}.
 *
 * <p>An alert comes when a window closes: when the entity's next event falls in a later hour, or
 * when the stream's time passes the hour (online, up to an hour after the activity began).
 *
 * <p>State: about 0.3 KiB per entity plus the reservoir ({@code training-windows * 8 * 4} bytes).
 */
public final class IsolationForestDetector implements Detector {

    public static final String NAME = "isolation-forest";
    public static final int FEATURES = 8;
    /** The most route templates an entity's history of earlier windows keeps. */
    private static final int KNOWN_ROUTES = 32;
    public static final List<String> FEATURE_NAMES = List.of("events", "distinct routes", "denied share",
            "decrypted fields above its own usual", "networks", "activity above its own usual",
            "hour-of-day rarity", "routes new to it");
    private static final long HOUR = 3_600_000L;
    /** A state's hour when it has no open window. */
    private static final int NO_HOUR = Integer.MIN_VALUE;
    /**
     * Added to both sides of a count ratio (activity or fields against the entity's usual, denials
     * against requests): an hour of 5 events against a usual 2 is noise, not a 2.5x surge, and
     * small counts are what most hours of most people are.
     */
    private static final double PRIOR = 10.0;

    private final int warmupWindows;
    private final int minWindowEvents;
    private final int reservoirSize;
    private final int minTraining;
    private final int refitEvery;
    private final int trees;
    private final int sampleSize;
    private final double minScore;
    private final double scoreQuantile;
    private final long seed;
    private final int evidence;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    private final float[][] reservoir;
    private final SplittableRandom random;
    private long windowsSeen;
    private long windowsAtLastFit;
    private int reservoirCount;
    private IsolationForest forest;
    private double threshold = Double.NaN;
    private float[] typical;
    private long sweptHour = Long.MIN_VALUE;

    public IsolationForestDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        warmupWindows = t.integer(NAME + ".warmup-windows", 8);
        minWindowEvents = Math.max(1, t.integer(NAME + ".min-window-events", 5));
        reservoirSize = Math.max(16, t.integer(NAME + ".training-windows", 5000));
        minTraining = Math.max(16, Math.min(reservoirSize, t.integer(NAME + ".min-training-windows", 5000)));
        refitEvery = Math.max(1, t.integer(NAME + ".refit-every", 10_000));
        trees = Math.max(1, t.integer(NAME + ".trees", 100));
        sampleSize = Math.max(2, t.integer(NAME + ".sample-size", 256));
        minScore = t.decimal(NAME + ".min-score", 0.70);
        scoreQuantile = Math.min(1.0, t.decimal(NAME + ".score-quantile", 0.999));
        seed = t.integer(NAME + ".seed", 7);
        evidence = Math.max(1, t.integer(NAME + ".evidence", 4));
        states = EntityStates.boundedWithIdle(t, NAME, 1_000_000, Duration.ofDays(35));
        thresholds = Detectors.thresholdsWithPrefix(t, NAME);
        reservoir = new float[reservoirSize][];
        random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void observe(AuditEvent event, Consumer<Alert> alerts) {
        EventType type = event.type();
        if (type != EventType.AUTHZ_DECISION && type != EventType.FIELD_DECRYPT && type != EventType.FIELD_ENCRYPT) {
            return;
        }
        Entity who = Principals.principal(event);
        if (who == null) {
            return;
        }
        long t = event.time().toEpochMilli();
        long hour = Math.floorDiv(t, HOUR);
        State s = states.seen(Principals.stateKey(who), t, State::new);
        if (s.hour != hour) {
            if (hour < s.hour) {
                return; // a late event from an hour already closed
            }
            close(s, alerts);
            s.hour = (int) hour;
            s.startInHour = (int) (t - hour * HOUR);
        }
        s.endInHour = (int) (t - hour * HOUR);
        s.events++;
        s.routes.add(Routes.templateHash(event.action(), event.resource()));
        s.addNetwork(Principals.networkHash(event.actor().ip()));
        if (event.outcome() == Outcome.DENY) {
            s.denies++;
        }
        if (type == EventType.FIELD_DECRYPT && event.attributes().get("fields") instanceof Number n) {
            s.fields += (int) Math.max(0, Math.min(n.longValue(), 1_000_000));
        }
        if (s.evidence == null) {
            s.evidence = new EvidenceRing(evidence);
        }
        s.evidence.add(event.id());
    }

    @Override
    public void advanceTo(Instant now, Consumer<Alert> alerts) {
        long t = now.toEpochMilli();
        long hour = Math.floorDiv(t, HOUR);
        if (hour > sweptHour) {
            sweptHour = hour;
            states.forEach((key, s) -> {
                if (s.hour < hour && s.hour != NO_HOUR) {
                    close(s, alerts);
                }
            });
        }
        states.evictIdle(t, s -> close(s, alerts));
    }

    /** Closes the entity's window: learns from it, scores it, resets it. */
    private void close(State s, Consumer<Alert> alerts) {
        if (s.hour == NO_HOUR || s.events == 0) {
            return;
        }
        float[] x = features(s);
        boolean warm = s.windows >= warmupWindows;
        boolean alerted = false;
        if (warm && s.events >= minWindowEvents) {
            if (forest != null) {
                double score = forest.score(x);
                if (score >= threshold) {
                    alerts.accept(alert(s, x, score));
                    alerted = true;
                }
            }
            learn(x);
        }
        // The entity's own history, updated after scoring so that a window is judged against the past.
        int hourOfDay = (int) Math.floorMod(s.hour, 24L);
        if (!alerted) {
            // An alerting window does not teach the entity that its hour and routes are usual: an
            // insider's session spread over two hours is judged against the same past in both.
            learnHourAndRoutes(s, hourOfDay);
        }
        s.usualEvents = s.windows == 0 ? s.events : s.usualEvents + 0.1f * (s.events - s.usualEvents);
        s.usualFields = s.windows == 0 ? s.fields : s.usualFields + 0.1f * (s.fields - s.usualFields);

        if (s.windows < Integer.MAX_VALUE) {
            s.windows++;
        }
        s.events = 0;
        s.denies = 0;
        s.fields = 0;
        s.routes.clear();
        s.clearNetworks();
        s.evidence = null;
        s.hour = NO_HOUR;
    }

    private static void learnHourAndRoutes(State s, int hourOfDay) {
        if (s.hourCounts == null) {
            s.hourCounts = new byte[24];
        }
        if ((s.hourCounts[hourOfDay] & 0xff) == 0xff) {
            // Halve every count: the profile keeps its shape and stays within a byte per hour.
            for (int i = 0; i < 24; i++) {
                s.hourCounts[i] = (byte) ((s.hourCounts[i] & 0xff) >>> 1);
            }
        }
        s.hourCounts[hourOfDay]++;
        if (s.knownRoutes == null) {
            s.knownRoutes = new IntSet(Math.min(4, KNOWN_ROUTES), KNOWN_ROUTES);
        }
        s.knownRoutes.addAll(s.routes);
    }

    private float[] features(State s) {
        float[] x = new float[FEATURES];
        x[0] = (float) Math.log1p(s.events);
        x[1] = (float) Math.log1p(s.routes.size());
        x[2] = (float) (s.denies / (s.events + PRIOR));
        // Relative to the entity's own usual, one-sided: decrypting is a support agent's daily work,
        // so only decrypting more than it usually does is unusual for it.
        x[3] = s.windows == 0 ? (float) Math.log1p(s.fields)
                : (float) Math.max(0.0, Math.log((s.fields + PRIOR) / (s.usualFields + PRIOR)));
        x[4] = s.networkCount();
        // One-sided: an hour quieter than usual is not a security concern, a busier one may be.
        x[5] = s.windows == 0 ? 0f : (float) Math.max(0.0, Math.log((s.events + PRIOR) / (s.usualEvents + PRIOR)));
        int max = s.busiestHourCount();
        int hourOfDay = (int) Math.floorMod(s.hour, 24L);
        // How surprising this hour is for this entity: -ln of its smoothed share of the entity's
        // busiest hour. Never active here after 20 days at its usual hour gives ln(21 / 0.5) = 3.7,
        // once gives 2.6, half the days 0.7; a young profile (small max) is less sure of itself.
        x[6] = (float) Math.max(0.0, Math.log((max + 1.0) / (s.hourCount(hourOfDay) + 0.5)));
        // Route templates this entity had not called in any earlier window: what it reaches for
        // that its own work never needed (an insider looking around, a probe).
        x[7] = (float) Math.log1p(s.windows == 0 ? 0 : s.routesNotKnown());
        return x;
    }

    private void learn(float[] x) {
        windowsSeen++;
        if (reservoirCount < reservoirSize) {
            reservoir[reservoirCount++] = x;
        } else {
            long j = random.nextLong(windowsSeen);
            if (j < reservoirSize) {
                reservoir[(int) j] = x;
            }
        }
        boolean firstFit = forest == null && reservoirCount >= minTraining;
        boolean refit = forest != null && windowsSeen - windowsAtLastFit >= refitEvery;
        if (firstFit || refit) {
            fit();
        }
    }

    private void fit() {
        float[][] rows = Arrays.copyOf(reservoir, reservoirCount);
        forest = IsolationForest.fit(rows, trees, sampleSize, seed + windowsSeen);
        double[] scores = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            scores[i] = forest.score(rows[i]);
        }
        Arrays.sort(scores);
        int q = (int) Math.min(scores.length - 1, Math.floor(scoreQuantile * (scores.length - 1)));
        threshold = Math.max(minScore, scores[q]);
        typical = new float[FEATURES];
        float[] column = new float[rows.length];
        for (int f = 0; f < FEATURES; f++) {
            for (int i = 0; i < rows.length; i++) {
                column[i] = rows[i][f];
            }
            Arrays.sort(column);
            typical[f] = column[column.length / 2];
        }
        windowsAtLastFit = windowsSeen;
    }

    private Alert alert(State s, float[] x, double score) {
        double[] contribution = forest.attribution(x);
        Integer[] order = new Integer[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
            order[f] = f;
        }
        Arrays.sort(order, (a, b) -> Double.compare(contribution[b], contribution[a]));
        List<String> top = new ArrayList<>(3);
        for (int i = 0; i < 3; i++) {
            top.add(describe(order[i], x, s));
        }
        Entity who = Principals.fromStateKey(s.key());
        String explanation = "unusual hour for " + Explain.entity(who)
                + String.format(Locale.ROOT, " (isolation score %.2f, alert at %.2f); most unusual: ", score, threshold)
                + String.join("; ", top);
        return Alert.spanning(NAME, score >= threshold + 0.1 ? Severity.HIGH : Severity.MEDIUM, who,
                Instant.ofEpochMilli(s.start()), Instant.ofEpochMilli(Math.max(s.start(), s.end())),
                Math.min(1.0, Math.round(score * 1000) / 1000.0), s.evidence.toList(), explanation);
    }

    private String describe(int f, float[] x, State s) {
        String name = FEATURE_NAMES.get(f);
        return switch (f) {
            case 0, 1, 7 -> name + " " + Math.round(Math.expm1(x[f])) + " (typical " + Math.round(Math.expm1(typical[f])) + ")";
            case 2 -> String.format(Locale.ROOT, "denied %d of %d requests", s.denies, s.events);
            case 3 -> String.format(Locale.ROOT, "decrypted fields %d, against its usual %.0f per active hour", s.fields,
                    s.usualFields);
            case 4 -> name + " " + Math.round(x[f]) + " (typical " + Math.round(typical[f]) + ")";
            case 5 -> String.format(Locale.ROOT, "%d events against its usual %.0f per active hour", s.events,
                    s.usualEvents);
            default -> {
                int hourOfDay = (int) Math.floorMod(s.hour, 24L);
                yield String.format(Locale.ROOT, "active at %02d:00 UTC, an hour of day it was active in %d times"
                        + " (its busiest hour: %d times)", hourOfDay, s.hourCount(hourOfDay), s.busiestHourCount());
            }
        };
    }

    /** The current alert threshold, NaN before the first fit (for tests and documentation). */
    public double threshold() {
        return threshold;
    }

    @Override
    public int trackedEntities() {
        return states.size();
    }

    @Override
    public Map<String, String> thresholds() {
        return thresholds;
    }

    private static final class State extends EntityStates.State {
        /** Networks a window counts beyond its first (8 in all, as before). */
        private static final int MORE_NETWORKS = 7;
        /**
         * The open window's hour (hours since the epoch: an int until the year 245,000), or
         * {@link #NO_HOUR}; its first and last event as milliseconds into that hour.
         */
        int hour = NO_HOUR;
        int startInHour;
        int endInHour;
        int events;
        int denies;
        int fields;
        // Starts with room for two values and grows: most windows hold a few routes.
        final IntSet routes = new IntSet(2, 64);
        /**
         * The window's networks: nearly every window has one, kept in a field; a set for the others
         * (up to {@value #MORE_NETWORKS}) is made for a second.
         */
        int firstNetwork;
        boolean hasNetwork;
        IntSet moreNetworks;
        /**
         * Closed windows per UTC hour of day, unsigned, halved together when one would pass 255;
         * null (all zero) until a window is learnt from, as is {@link #knownRoutes}, so that an
         * entity in its first hour does not pay for either.
         */
        byte[] hourCounts;
        /** Route templates called in earlier windows: capped, the oldest replaced first; null when none. */
        IntSet knownRoutes;
        float usualEvents;
        float usualFields;
        int windows;
        EvidenceRing evidence;

        void addNetwork(int network) {
            if (!hasNetwork) {
                firstNetwork = network;
                hasNetwork = true;
            } else if (network != firstNetwork) {
                if (moreNetworks == null) {
                    moreNetworks = new IntSet(1, MORE_NETWORKS);
                }
                moreNetworks.add(network);
            }
        }

        /** Distinct networks in the window, at most {@value #MORE_NETWORKS} + 1. */
        int networkCount() {
            return !hasNetwork ? 0 : 1 + (moreNetworks == null ? 0 : moreNetworks.size());
        }

        void clearNetworks() {
            hasNetwork = false;
            moreNetworks = null;
        }

        long start() {
            return hour * HOUR + startInHour;
        }

        long end() {
            return hour * HOUR + endInHour;
        }

        int hourCount(int hourOfDay) {
            return hourCounts == null ? 0 : hourCounts[hourOfDay] & 0xff;
        }

        int busiestHourCount() {
            int max = 0;
            if (hourCounts != null) {
                for (byte c : hourCounts) {
                    max = Math.max(max, c & 0xff);
                }
            }
            return max;
        }

        /** How many of this window's routes no earlier window learnt from had called. */
        int routesNotKnown() {
            return knownRoutes == null ? routes.size() : routes.countNotIn(knownRoutes);
        }
    }
}
