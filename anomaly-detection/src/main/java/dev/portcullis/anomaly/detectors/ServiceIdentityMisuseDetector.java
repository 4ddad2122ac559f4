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
import dev.portcullis.anomaly.internal.IntSet;
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.Routes;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * Service identity misuse: a workload (its SPIFFE ID) calling routes outside the set it has been
 * seen to call, the shape of a stolen workload certificate used for lateral movement.
 *
 * <p>For each SPIFFE ID, the route templates it calls ({@code GET /orders/{id}}: identifier-like
 * path segments are folded) are learned during its first {@code learning-period} and first
 * {@code min-learning-events} decisions. After that, a call to a route template outside the set
 * raises an alert (high when it was allowed, medium when the policy denied it) and the route is
 * added, so a legitimate new route is reported once. An identity that calls more than
 * {@code max-routes} templates is too diverse to learn and is not judged.
 *
 * <p>State: per SPIFFE ID, 4 bytes per learned route.
 */
public final class ServiceIdentityMisuseDetector implements Detector {

    public static final String NAME = "service-identity-misuse";

    private final long learningMillis;
    private final int minLearningEvents;
    private final int maxRoutes;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public ServiceIdentityMisuseDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        learningMillis = t.duration(NAME + ".learning-period", Duration.ofDays(3)).toMillis();
        minLearningEvents = t.integer(NAME + ".min-learning-events", 200);
        maxRoutes = Math.max(1, t.integer(NAME + ".max-routes", 512));
        evidence = Math.max(1, t.integer(NAME + ".evidence", 20));
        cooldown = Cooldown.read(t, NAME);
        states = EntityStates.boundedWithIdle(t, NAME, 100_000, Duration.ofDays(90));
        thresholds = Detectors.thresholdsWithPrefix(t, NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void observe(AuditEvent event, Consumer<Alert> alerts) {
        if (event.type() != EventType.AUTHZ_DECISION) {
            return;
        }
        String spiffe = event.actor().spiffeId();
        if (!Principals.nonEmpty(spiffe)) {
            return;
        }
        long t = event.time().toEpochMilli();
        State s = states.seen(spiffe, t, () -> new State(t, Math.min(16, maxRoutes), maxRoutes));
        int hash = Routes.templateHash(event.action(), event.resource());
        boolean learning = t - s.firstSeen < learningMillis || s.events < minLearningEvents;
        if (s.events < Integer.MAX_VALUE) {
            s.events++;
        }
        if (learning) {
            s.routes.add(hash);
            return;
        }
        if (s.routes.contains(hash) || s.routes.isFull()) {
            return;
        }
        int known = s.routes.size();
        s.routes.add(hash);
        if (cooldown.tryAlert(s, t)) {
            s.evidence = new EvidenceRing(evidence);
            s.burstStart = t;
        } else if (s.evidence == null) {
            return;
        }
        s.evidence.add(event.id());
        if (s.burstStart != t) {
            return; // already reported in this cooldown; later routes only add evidence
        }
        boolean allowed = event.outcome() == Outcome.ALLOW;
        String route = Routes.template(event.action(), event.resource());
        alerts.accept(new Alert(NAME, allowed ? Severity.HIGH : Severity.MEDIUM, Entity.spiffe(spiffe),
                event.time(), event.time(), allowed ? 0.9 : 0.7, s.evidence.toList(),
                "workload " + Explain.shorten(spiffe) + " called " + Explain.shorten(route)
                        + (allowed ? " (allowed)" : " (denied)") + ", outside the " + known + " routes"
                        + " it was seen to call in " + Explain.span(t - s.firstSeen) + " of history"));
    }

    @Override
    public void advanceTo(Instant now, Consumer<Alert> alerts) {
        states.evictIdle(now.toEpochMilli());
    }

    @Override
    public int trackedEntities() {
        return states.size();
    }

    @Override
    public Map<String, String> thresholds() {
        return thresholds;
    }

    private static final class State extends Cooldown.State {
        final IntSet routes;
        final long firstSeen;
        int events;
        long burstStart;
        EvidenceRing evidence;

        State(long firstSeen, int initialRoutes, int maxRoutes) {
            this.firstSeen = firstSeen;
            routes = new IntSet(initialRoutes, maxRoutes);
        }
    }
}
