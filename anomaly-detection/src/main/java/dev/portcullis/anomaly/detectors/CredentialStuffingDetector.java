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
import dev.portcullis.anomaly.SourceAddress;
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
 * Credential stuffing: failed authentications from one source IP spread over many subjects, the
 * signature of a list of leaked username/password pairs being tried. Fires when, within
 * {@code window}, one IP has at least {@code min-failures} {@code authn.failure} events for at least
 * {@code min-distinct-subjects} distinct claimed subjects. A credential that named no subject counts
 * as one "unknown" subject.
 *
 * <p>Blind spot: a botnet that spreads the same attempts over more IPs than fail per IP below the
 * thresholds is not seen here (see the brute-force detector for one subject, and the evaluation).
 *
 * <p>State: only for IPs with recent failures, about 0.9 KiB each, dropped after {@code 2 * window}
 * without failures.
 */
public final class CredentialStuffingDetector implements Detector {

    public static final String NAME = "credential-stuffing";
    /** Default {@code window}: long enough to catch a scripted run, short enough to forget typos. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    public static final int DEFAULT_MIN_FAILURES = 20;
    public static final int DEFAULT_MIN_DISTINCT_SUBJECTS = 10;

    private final Duration window;
    private final long windowMillis;
    private final int minFailures;
    private final int minSubjects;
    /** The most distinct subjects an IP's window counts: at least {@code min-distinct-subjects}. */
    private final int subjectCapacity;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public CredentialStuffingDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        window = t.duration(NAME + ".window", DEFAULT_WINDOW);
        windowMillis = window.toMillis();
        minFailures = Math.max(1, t.integer(NAME + ".min-failures", DEFAULT_MIN_FAILURES));
        minSubjects = Math.max(1, t.integer(NAME + ".min-distinct-subjects", DEFAULT_MIN_DISTINCT_SUBJECTS));
        subjectCapacity = Math.max(64, minSubjects);
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
        // By network: an IPv6 host holds its whole /64 and could use a new address for every attempt.
        String ip = SourceAddress.network(event.actor().ip());
        if (!Principals.nonEmpty(ip)) {
            return;
        }
        long t = event.time().toEpochMilli();
        State s = states.seen(ip, t, () -> new State(evidence));
        int failures = s.failures.add(t, 1, windowMillis);
        if (failures == 1) {
            s.evidence.clear(); // a new burst: the evidence of an earlier one is not this alert's
        }
        String subject = event.actor().subject();
        int subjects = s.subjects.add(Principals.hash(subject == null ? "" : subject), t, windowMillis, subjectCapacity);
        s.evidence.add(event.id());
        if (failures >= minFailures && subjects >= minSubjects && cooldown.tryAlert(s, t)) {
            long start = s.failures.burstStart();
            double ratio = Math.min((double) failures / minFailures, (double) subjects / minSubjects);
            Severity severity = ratio >= 5 ? Severity.CRITICAL : Severity.HIGH;
            String saturated = subjects >= subjectCapacity ? " at least" : "";
            alerts.accept(Alert.spanning(NAME, severity, Entity.ip(ip), Instant.ofEpochMilli(start),
                    event.time(), Explain.ruleScore(ratio, 1.0), s.evidence.toList(),
                    failures + " failed logins for" + saturated + " " + subjects + " distinct subjects from "
                            + Explain.shorten(ip) + " in " + Explain.span(t - start)
                            + " (threshold: " + minFailures + " failures for " + minSubjects
                            + " subjects within " + Explain.window(window) + ")"));
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
        final RecentDistinct subjects = new RecentDistinct();
        final EvidenceRing evidence;

        State(int evidence) {
            this.evidence = new EvidenceRing(evidence);
        }
    }
}
