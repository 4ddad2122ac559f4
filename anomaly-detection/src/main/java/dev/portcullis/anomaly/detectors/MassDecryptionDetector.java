package dev.portcullis.anomaly.detectors;

import java.time.Duration;
import java.time.Instant;
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
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.SlidingCount;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * Mass decryption: a principal decrypting far more protected fields than it usually does, the
 * shape of data exfiltration through a legitimate account. Counts the fields of successful
 * {@code field.decrypt} events (the {@code fields} attribute, 1 when absent) over a sliding
 * {@code window}, against the principal's own baseline: an exponentially weighted mean and
 * absolute deviation of its per-hour volume over the hours in which it decrypted anything.
 *
 * <p>Fires when the window's volume reaches {@code max(min-fields, multiplier * (mean +
 * deviation-weight * deviation))}; until the principal has {@code warmup-active-hours} hours of
 * history, the limit is {@code max(min-fields, cold-start-fields)} instead, so a brand-new account
 * that starts by decrypting thousands of fields is still caught.
 *
 * <p>State: only for principals that decrypt, about 0.2 KiB each, dropped after {@code idle}.
 */
public final class MassDecryptionDetector implements Detector {

    public static final String NAME = "mass-decryption";
    private static final long HOUR = 3_600_000L;

    private final Duration window;
    private final long windowMillis;
    private final double multiplier;
    private final double deviationWeight;
    private final int minFields;
    private final int coldStartFields;
    private final int warmupHours;
    private final float alpha;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public MassDecryptionDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        window = t.duration(NAME + ".window", Duration.ofHours(1));
        windowMillis = window.toMillis();
        multiplier = t.decimal(NAME + ".multiplier", 5.0);
        deviationWeight = t.decimal(NAME + ".deviation-weight", 2.0);
        minFields = Math.max(1, t.integer(NAME + ".min-fields", 50));
        coldStartFields = Math.max(1, t.integer(NAME + ".cold-start-fields", 2000));
        warmupHours = t.integer(NAME + ".warmup-active-hours", 10);
        alpha = (float) Math.min(1.0, t.decimal(NAME + ".alpha", 0.1));
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
        if (event.type() != EventType.FIELD_DECRYPT
                || (event.outcome() != Outcome.SUCCESS && event.outcome() != Outcome.ALLOW)) {
            return;
        }
        Entity who = Principals.principal(event);
        if (who == null) {
            return;
        }
        int fields = fields(event);
        long t = event.time().toEpochMilli();
        State s = states.seen(Principals.stateKey(who), t, State::new);
        long hour = Math.floorDiv(t, HOUR);
        if (hour > s.hour) {
            if (s.hourFields > 0) {
                learn(s, s.hourFields);
            }
            s.hour = (int) hour;
            s.hourFields = 0;
        }
        s.hourFields += fields;
        if (s.volume.totalAt(t, windowMillis) == 0) {
            s.evidence = null; // a new burst: the last one's evidence is not this one's
        }
        int volume = s.volume.add(t, fields, windowMillis);
        double limit = limit(s);
        s.evidence = EvidenceRing.addOnceStarted(s.evidence, volume * 2 >= limit, evidence, event.id());
        if (volume >= limit && cooldown.tryAlert(s, t)) {
            boolean warm = s.activeHours >= warmupHours;
            String baseline = warm
                    ? Explain.decimal(volume / Math.max(s.mean, 1f)) + "x its usual " + Explain.decimal(s.mean)
                            + " per active hour"
                    : "no baseline yet (" + s.activeHours + " active hours of history)";
            alerts.accept(Alert.spanning(NAME, volume >= 4 * limit ? Severity.CRITICAL : Severity.HIGH, who,
                    Instant.ofEpochMilli(s.volume.burstStart()), event.time(), Explain.ruleScore(volume, limit),
                    s.evidence.toList(),
                    Explain.entity(who) + " decrypted " + volume
                            + " fields within " + Explain.window(window) + ", " + baseline + " (limit "
                            + Explain.decimal(limit) + ")"));
        }
    }

    private double limit(State s) {
        if (s.activeHours < warmupHours) {
            return Math.max(minFields, coldStartFields);
        }
        return Math.max(minFields, multiplier * (s.mean + deviationWeight * s.deviation));
    }

    private void learn(State s, int hourFields) {
        float clipped = (float) Math.min(hourFields, limit(s));
        if (s.activeHours == 0) {
            s.mean = clipped;
            s.deviation = Math.max(1f, clipped / 2f);
        } else {
            float mean = s.mean;
            s.mean = mean + alpha * (clipped - mean);
            s.deviation = s.deviation + alpha * (Math.abs(clipped - mean) - s.deviation);
        }
        if (s.activeHours < Integer.MAX_VALUE) {
            s.activeHours++;
        }
    }

    private static int fields(AuditEvent event) {
        Object value = event.attributes().get("fields");
        if (value instanceof Number n) {
            long v = n.longValue();
            return (int) Math.max(1, Math.min(v, 1_000_000));
        }
        return 1;
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
        final SlidingCount volume = new SlidingCount(12);
        /**
         * The hour of {@link #hourFields} (hours since the epoch: an int until the year 245,000, 4
         * bytes less than a long, which makes the state 8 bytes smaller); {@code Integer.MIN_VALUE}
         * before the first decryption.
         */
        int hour = Integer.MIN_VALUE;
        int hourFields;
        float mean;
        float deviation;
        int activeHours;
        EvidenceRing evidence;
    }
}
