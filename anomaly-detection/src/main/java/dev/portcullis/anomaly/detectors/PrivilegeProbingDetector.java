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
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.RecentDistinct;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * Privilege probing: one principal denied on many distinct resources, or on several admin routes,
 * in a short time: someone mapping what a stolen or low-privilege identity can reach. Fires when,
 * within {@code window}, the principal (subject, else SPIFFE ID, else client, else IP) was denied on
 * {@code min-distinct-resources} distinct method+resource pairs, or on {@code min-admin-routes}
 * distinct resources under one of {@code admin-prefixes}. Retrying one forbidden resource does not
 * count more than once.
 *
 * <p>State: only for principals with recent denials, dropped after {@code 2 * window} without any.
 */
public final class PrivilegeProbingDetector implements Detector {

    public static final String NAME = "privilege-probing";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
    public static final int DEFAULT_MIN_DISTINCT_RESOURCES = 10;
    public static final int DEFAULT_MIN_ADMIN_ROUTES = 3;
    public static final List<String> DEFAULT_ADMIN_PREFIXES = List.of("/admin", "/v1/admin");

    private final Duration window;
    private final long windowMillis;
    private final int minResources;
    private final int minAdmin;
    private final List<String> adminPrefixes;
    /** The most distinct resources, and admin resources, a principal's window counts. */
    private final int resourceCapacity;
    private final int adminCapacity;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public PrivilegeProbingDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        window = t.duration(NAME + ".window", DEFAULT_WINDOW);
        windowMillis = window.toMillis();
        minResources = Math.max(2, t.integer(NAME + ".min-distinct-resources", DEFAULT_MIN_DISTINCT_RESOURCES));
        minAdmin = Math.max(1, t.integer(NAME + ".min-admin-routes", DEFAULT_MIN_ADMIN_ROUTES));
        adminPrefixes = t.list(NAME + ".admin-prefixes", DEFAULT_ADMIN_PREFIXES);
        resourceCapacity = Math.max(64, minResources);
        adminCapacity = Math.max(16, minAdmin);
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
        if (event.outcome() != Outcome.DENY
                || (event.type() != EventType.AUTHZ_DECISION && event.type() != EventType.FIELD_DECRYPT)) {
            return;
        }
        Entity who = Principals.principal(event);
        if (who == null) {
            return;
        }
        long t = event.time().toEpochMilli();
        State s = states.seen(Principals.stateKey(who), t, () -> new State(evidence));
        if (s.resources.count(t, windowMillis) == 0) {
            s.burstStart = t;
        }
        String resource = event.resource();
        int resourceHash = Principals.hash(event.action() + " " + resource);
        int distinct = s.resources.add(resourceHash, t, windowMillis, resourceCapacity);
        int admin = isAdmin(resource) ? s.admin.add(resourceHash, t, windowMillis, adminCapacity) : s.admin.count(t, windowMillis);
        s.evidence.add(event.id());
        boolean manyResources = distinct >= minResources;
        boolean adminProbe = admin >= minAdmin;
        if ((manyResources || adminProbe) && cooldown.tryAlert(s, t)) {
            double ratio = Math.max((double) distinct / minResources, (double) admin / minAdmin);
            alerts.accept(Alert.spanning(NAME, adminProbe ? Severity.HIGH : Severity.MEDIUM, who,
                    Instant.ofEpochMilli(s.burstStart), event.time(), Explain.ruleScore(ratio, 1.0),
                    s.evidence.toList(),
                    Explain.entity(who) + " was denied on " + distinct
                            + " distinct resources (" + admin + " of them admin routes) in "
                            + Explain.span(t - s.burstStart) + ", latest " + Explain.shorten(event.action() + " "
                            + resource) + " (threshold: " + minResources + " resources or " + minAdmin
                            + " admin routes within " + Explain.window(window) + ")"));
        }
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
        final RecentDistinct resources = new RecentDistinct();
        final RecentDistinct admin = new RecentDistinct();
        final EvidenceRing evidence;
        long burstStart;

        State(int evidence) {
            this.evidence = new EvidenceRing(evidence);
        }
    }
}
