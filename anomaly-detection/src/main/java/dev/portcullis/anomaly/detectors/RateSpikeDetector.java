package dev.portcullis.anomaly.detectors;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.Detector;
import dev.portcullis.anomaly.Entity;
import dev.portcullis.anomaly.Severity;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.internal.Cooldown;
import dev.portcullis.anomaly.internal.EntityStates;
import dev.portcullis.anomaly.internal.EvidenceRing;
import dev.portcullis.anomaly.internal.Explain;
import dev.portcullis.anomaly.internal.HalfFloats;
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.SlidingCount;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;

/**
 * Rate spike: a principal making far more requests in an hour than it usually does at that hour.
 *
 * <p>Baseline: for each entity, 48 hourly slots (24 hours of the UTC day, weekday or weekend), each
 * an exponentially weighted mean of the hour's event count and of its absolute deviation
 * ({@code alpha} per update; an hour with no events updates its slot with 0). The day of the week
 * enters as weekday/weekend only: with seven separate days, each slot would learn once a week and
 * take months to settle. Following the mean makes the baseline robust to slow drift (a team that
 * grows 5 % a week), and each closed hour updates its slot with its count clipped at the limit, so
 * an attack does not teach the baseline that attacks are normal.
 *
 * <p>Fires, once the entity has been seen for {@code warmup}, as soon as its count over the last 60
 * minutes (sliding, so a burst across an hour boundary counts whole) reaches
 * {@code max(min-events, multiplier * (mean + deviation-weight * deviation), peak-multiplier * peak)}
 * for the current slot, where {@code peak} is the largest slot mean of the entity (its busiest usual
 * hour). The last term is there because people shift their hours: a day started early puts an
 * ordinary working hour into a slot that is usually empty, which is not a spike as long as it stays
 * within what the entity does at its busiest. Counts {@code authz.decision} and {@code field.*} events (failed logins are the
 * brute-force detectors' business).
 *
 * <p>State: about 0.3 KiB per entity (two half-precision numbers per slot), dropped after
 * {@code idle} without events.
 */
public final class RateSpikeDetector implements Detector {

    public static final String NAME = "rate-spike";
    private static final int SLOTS = 48;
    private static final long HOUR = 3_600_000L;

    private final double multiplier;
    private final double deviationWeight;
    private final int minEvents;
    private final double peakMultiplier;
    private final long warmupMillis;
    private final float alpha;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public RateSpikeDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        multiplier = t.decimal(NAME + ".multiplier", 4.0);
        deviationWeight = t.decimal(NAME + ".deviation-weight", 2.0);
        minEvents = Math.max(1, t.integer(NAME + ".min-events", 50));
        peakMultiplier = t.decimal(NAME + ".peak-multiplier", 2.0);
        warmupMillis = t.duration(NAME + ".warmup", Duration.ofDays(7)).toMillis();
        alpha = (float) Math.min(1.0, t.decimal(NAME + ".alpha", 0.2));
        evidence = Math.max(1, t.integer(NAME + ".evidence", 20));
        cooldown = Cooldown.read(t, NAME);
        states = EntityStates.boundedWithIdle(t, NAME, 1_000_000, Duration.ofDays(35));
        thresholds = Detectors.thresholdsWithPrefix(t, NAME);
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
        State s = states.seen(Principals.stateKey(who), t, () -> new State(t));
        long hour = Math.floorDiv(t, HOUR);
        if (s.hour == Long.MIN_VALUE) {
            s.hour = hour;
        } else if (hour > s.hour) {
            closeHours(s, hour);
        }
        s.count++;
        // Detection uses the last 60 minutes, not the clock hour, so a burst across the hour boundary counts whole.
        int recent = s.recent.add(t, 1, HOUR);
        int slot = slot(s.hour);
        float mean = s.baselineAt(slot);
        if (t - s.firstSeen < warmupMillis || Float.isNaN(mean)) {
            return;
        }
        float deviation = s.baselineAt(SLOTS + slot);
        double limit = Math.max(limit(mean, deviation), peakMultiplier * s.peak);
        s.evidence = EvidenceRing.addOnceStarted(s.evidence, recent * 2 >= limit, evidence, event.id());
        if (recent >= limit && cooldown.tryAlert(s, t)) {
            double ratio = recent / Math.max(mean, 0.1);
            alerts.accept(Alert.spanning(NAME, Severity.MEDIUM, who, Instant.ofEpochMilli(Math.max(s.recent.burstStart(), t - HOUR)),
                    event.time(), Explain.ruleScore(recent, limit), s.evidence.toList(),
                    recent + " events from " + Explain.entity(who)
                            + " in the 60 minutes to " + String.format(Locale.ROOT, "%02d:%02d UTC", Math.floorMod(s.hour, 24),
                                    Math.floorMod(t / 60_000L, 60L))
                            + " (" + (slot >= 24 ? "weekend" : "weekday") + "), " + Explain.decimal(ratio)
                            + "x its usual " + Explain.decimal(mean) + " per hour at that time and "
                            + Explain.decimal(recent / Math.max(s.peak, 0.1)) + "x its busiest usual hour ("
                            + Explain.decimal(s.peak) + "; limit " + Explain.decimal(limit) + ")"));
        }
    }

    private double limit(float mean, float deviation) {
        return Math.max(minEvents, multiplier * (mean + deviationWeight * deviation));
    }

    /** Closes the hour in progress and the empty hours up to (not including) {@code hour}. */
    private void closeHours(State s, long hour) {
        update(s, slot(s.hour), s.count);
        // Empty hours teach the baseline that those hours are quiet; after two weeks every slot
        // has been decayed several times, so a longer gap need not be walked hour by hour.
        long gap = Math.min(hour - s.hour - 1, 14L * 24);
        for (long h = hour - gap; h < hour; h++) {
            update(s, slot(h), 0);
        }
        s.hour = hour;
        s.count = 0;
        s.evidence = null;
        float peak = 0f;
        for (int i = 0; i < SLOTS; i++) {
            float m = s.baselineAt(i);
            if (m > peak) { // false for NaN: a slot never closed has no mean yet
                peak = m;
            }
        }
        s.peak = peak;
    }

    private void update(State s, int slot, int count) {
        float mean = s.baselineAt(slot);
        if (Float.isNaN(mean)) {
            s.setBaseline(slot, count);
            s.setBaseline(SLOTS + slot, Math.max(1f, count / 2f));
            return;
        }
        float deviation = s.baselineAt(SLOTS + slot);
        float clipped = (float) Math.min(count, limit(mean, deviation));
        s.setBaseline(slot, mean + alpha * (clipped - mean));
        s.setBaseline(SLOTS + slot, deviation + alpha * (Math.abs(clipped - mean) - deviation));
    }

    /** 0..23 for the hours of a weekday, 24..47 for a Saturday or Sunday (UTC). */
    static int slot(long epochHour) {
        int hourOfDay = (int) Math.floorMod(epochHour, 24L);
        long day = Math.floorDiv(epochHour, 24L);
        int dayOfWeek = (int) Math.floorMod(day + 3, 7L); // 1970-01-01 was a Thursday; 0 = Monday
        return hourOfDay + (dayOfWeek >= 5 ? 24 : 0);
    }

    @Override
    public void advanceTo(Instant now, Consumer<Alert> alerts) {
        states.evictIdle(now.toEpochMilli());
        cooldown.forgetDropped();
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
        /**
         * Means in [0, 48), deviations in [48, 96), as half floats; NaN until a slot's first hour
         * closes. Null (every slot NaN) until the entity's first hour closes: an entity seen within
         * the last hour only, as most newly tracked ones are, does not pay for 96 empty slots.
         */
        private short[] baseline;
        final SlidingCount recent = new SlidingCount(12);
        final long firstSeen;
        long hour = Long.MIN_VALUE;
        int count;
        /** The largest slot mean, recomputed when an hour closes. */
        float peak;
        EvidenceRing evidence;

        State(long firstSeen) {
            this.firstSeen = firstSeen;
        }

        float baselineAt(int i) {
            return baseline == null ? Float.NaN : HalfFloats.get(baseline, i);
        }

        void setBaseline(int i, float value) {
            if (baseline == null) {
                baseline = new short[2 * SLOTS];
                java.util.Arrays.fill(baseline, Float.floatToFloat16(Float.NaN));
            }
            HalfFloats.set(baseline, i, value);
        }
    }
}
