package dev.portcullis.anomaly.detectors;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * {@code min-learning-events} decisions. After that, every route template outside the set is
 * added to it, and an alert is raised (high when the call was allowed, medium when the policy
 * denied it) when the identity calls {@code min-new-routes} distinct new templates within
 * {@code window}, or any new template under {@code admin-prefixes}. A deployment typically adds
 * one ordinary route, which is then called at the service's usual rate: alerting on that single
 * route would report every release. A stolen identity used to look around calls several routes
 * its owner never did, or an admin route. An identity that calls more than {@code max-routes}
 * templates is too diverse to learn and is not judged.
 *
 * <p>State: per SPIFFE ID, 4 bytes per learned route.
 */
public final class ServiceIdentityMisuseDetector implements Detector {

    public static final String NAME = "service-identity-misuse";

    private final long learningMillis;
    private final int minLearningEvents;
    private final int maxRoutes;
    private final int minNewRoutes;
    private final long windowMillis;
    private final List<String> adminPrefixes;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public ServiceIdentityMisuseDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        learningMillis = t.duration(NAME + ".learning-period", Duration.ofDays(3)).toMillis();
        minLearningEvents = t.integer(NAME + ".min-learning-events", 200);
        maxRoutes = Math.max(1, t.integer(NAME + ".max-routes", 512));
        minNewRoutes = Math.max(1, t.integer(NAME + ".min-new-routes", 2));
        windowMillis = t.duration(NAME + ".window", Duration.ofMinutes(10)).toMillis();
        adminPrefixes = t.list(NAME + ".admin-prefixes", List.of("/admin", "/v1/admin"));
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
        if (s.newRoutes == 0 || t - s.firstNewRoute > windowMillis) {
            // The first new route in a window: the start of what may be a look around.
            s.newRoutes = 0;
            s.firstNewRoute = t;
            s.evidence = new EvidenceRing(evidence);
            s.learnedBefore = known;
        }
        s.newRoutes++;
        s.evidence.add(event.id());
        boolean admin = isAdmin(event.resource());
        if (s.newRoutes < minNewRoutes && !admin) {
            return; // one new ordinary route is what a deployment looks like
        }
        if (!cooldown.tryAlert(s, t)) {
            return; // already reported in this cooldown; later routes only add evidence
        }
        boolean allowed = event.outcome() == Outcome.ALLOW;
        String route = Routes.template(event.action(), event.resource());
        String what = s.newRoutes == 1
                ? "called " + Explain.shorten(route)
                : "called " + s.newRoutes + " new routes within " + Explain.span(t - s.firstNewRoute) + ", the last "
                        + Explain.shorten(route);
        alerts.accept(Alert.spanning(NAME, allowed ? Severity.HIGH : Severity.MEDIUM, Entity.spiffe(spiffe),
                Instant.ofEpochMilli(s.firstNewRoute), event.time(), allowed ? 0.9 : 0.7, s.evidence.toList(),
                "workload " + Explain.shorten(spiffe) + " " + what
                        + (allowed ? " (allowed)" : " (denied)") + ", outside the " + s.learnedBefore + " routes"
                        + " it was seen to call in " + Explain.span(s.firstNewRoute - s.firstSeen) + " of history"
                        + (admin ? " (an admin route)" : " (limit " + minNewRoutes + " new routes within "
                                + Explain.window(Duration.ofMillis(windowMillis)) + ")")));
    }

    private boolean isAdmin(String resource) {
        for (String prefix : adminPrefixes) {
            if (resource.startsWith(prefix)) {
                return true;
            }
        }
        return false;
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
        final IntSet routes;
        final long firstSeen;
        int events;
        int newRoutes;
        int learnedBefore;
        long firstNewRoute;
        EvidenceRing evidence;

        State(long firstSeen, int initialRoutes, int maxRoutes) {
            this.firstSeen = firstSeen;
            routes = new IntSet(initialRoutes, maxRoutes);
        }
    }
}
