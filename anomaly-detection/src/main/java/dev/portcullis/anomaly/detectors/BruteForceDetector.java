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
import dev.portcullis.anomaly.internal.EntityStates;
import dev.portcullis.anomaly.internal.EvidenceRing;
import dev.portcullis.anomaly.internal.Explain;
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.RecentDistinct;
import dev.portcullis.anomaly.internal.SlidingCount;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;

/**
 * Brute force: many failed authentications for one subject, from however many IPs (password
 * guessing against one account). Fires when one claimed subject has at least
 * {@code min-failures} {@code authn.failure} events within {@code window}.
 *
 * <p>State: only for subjects with recent failures, dropped after {@code 2 * window} without any.
 */
public final class BruteForceDetector implements Detector {

    public static final String NAME = "brute-force";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    /** Default: a person who forgot a password gives up or resets long before ten tries. */
    public static final int DEFAULT_MIN_FAILURES = 10;

    private final Duration window;
    private final long windowMillis;
    private final int minFailures;
    private final int evidence;
    private final long cooldownMillis;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public BruteForceDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        window = t.duration(NAME + ".window", DEFAULT_WINDOW);
        windowMillis = window.toMillis();
        minFailures = Math.max(1, t.integer(NAME + ".min-failures", DEFAULT_MIN_FAILURES));
        evidence = Math.max(1, t.integer(NAME + ".evidence", 20));
        cooldownMillis = t.duration(NAME + ".cooldown", Duration.ofHours(1)).toMillis();
        int maxEntities = Math.max(1, t.integer(NAME + ".max-entities", 1_000_000));
        states = new EntityStates<>(maxEntities, 2 * windowMillis);
        thresholds = Detectors.thresholdsWithPrefix(t, NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void observe(AuditEvent event, Consumer<Alert> alerts) {
        if (event.type() != EventType.AUTHN_FAILURE) {
            return;
        }
        String subject = event.actor().subject();
        if (!Principals.nonEmpty(subject) || Principals.isSystem(subject)) {
            return;
        }
        long t = event.time().toEpochMilli();
        State s = states.getOrCreate(subject, () -> new State(windowMillis, evidence));
        if (s.failures.totalAt(t) == 0) {
            s.burstStart = t;
        }
        s.lastSeen = Math.max(s.lastSeen, t);
        int failures = s.failures.add(t, 1);
        int ips = s.ips.add(Principals.hash(event.actor().ip()), t, windowMillis);
        s.evidence.add(event.id());
        if (failures >= minFailures && t >= s.mutedUntil) {
            s.mutedUntil = t + cooldownMillis;
            double ratio = (double) failures / minFailures;
            alerts.accept(new Alert(NAME, ratio >= 5 ? Severity.CRITICAL : Severity.HIGH,
                    Entity.subject(subject), Instant.ofEpochMilli(s.burstStart), event.time(),
                    Explain.ruleScore(failures, minFailures), s.evidence.toList(),
                    failures + " failed logins for subject " + Explain.shorten(subject) + " from " + ips
                            + (ips == 1 ? " IP" : " IPs") + " in " + Explain.span(t - s.burstStart)
                            + " (threshold: " + minFailures + " within " + Explain.window(window) + ")"));
        }
    }

    @Override
    public void advanceTo(Instant now, Consumer<Alert> alerts) {
        states.evictIdle(now.toEpochMilli(), s -> { });
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
        final SlidingCount failures;
        final RecentDistinct ips = new RecentDistinct(16);
        final EvidenceRing evidence;
        long burstStart;
        long mutedUntil = Long.MIN_VALUE;

        State(long windowMillis, int evidence) {
            failures = new SlidingCount(10, windowMillis);
            this.evidence = new EvidenceRing(evidence);
        }
    }
}
