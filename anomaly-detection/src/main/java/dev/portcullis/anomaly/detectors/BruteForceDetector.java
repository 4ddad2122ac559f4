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
    /** The most distinct IPs a subject's window counts (more only makes the explanation longer). */
    private static final int IP_CAPACITY = 16;

    private final Duration window;
    private final long windowMillis;
    private final int minFailures;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public BruteForceDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        window = t.duration(NAME + ".window", DEFAULT_WINDOW);
        windowMillis = window.toMillis();
        minFailures = Math.max(1, t.integer(NAME + ".min-failures", DEFAULT_MIN_FAILURES));
        evidence = Math.max(1, t.integer(NAME + ".evidence", 20));
        cooldown = Cooldown.read(t, NAME);
        states = EntityStates.bounded(t, NAME, 1_000_000, 2 * windowMillis);
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
        State s = states.seen(subject, t, () -> new State(evidence));
        int failures = s.failures.add(t, 1, windowMillis);
        if (failures == 1) {
            s.evidence.clear(); // a new burst: the evidence of an earlier one is not this alert's
        }
        int ips = s.ips.add(Principals.hash(event.actor().ip()), t, windowMillis, IP_CAPACITY);
        s.evidence.add(event.id());
        if (failures >= minFailures && cooldown.tryAlert(s, t)) {
            long start = s.failures.burstStart();
            double ratio = (double) failures / minFailures;
            alerts.accept(Alert.spanning(NAME, ratio >= 5 ? Severity.CRITICAL : Severity.HIGH,
                    Entity.subject(subject), Instant.ofEpochMilli(start), event.time(),
                    Explain.ruleScore(failures, minFailures), s.evidence.toList(),
                    failures + " failed logins for subject " + Explain.shorten(subject) + " from "
                            + Explain.count(ips, "IP", "IPs") + " in " + Explain.span(t - start)
                            + " (threshold: " + minFailures + " within " + Explain.window(window) + ")"));
        }
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
        final SlidingCount failures = new SlidingCount(10);
        final RecentDistinct ips = new RecentDistinct();
        final EvidenceRing evidence;

        State(int evidence) {
            this.evidence = new EvidenceRing(evidence);
        }
    }
}
