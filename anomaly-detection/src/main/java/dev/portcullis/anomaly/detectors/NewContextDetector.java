package dev.portcullis.anomaly.detectors;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import dev.portcullis.anomaly.internal.FirstSeenSet;
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * New context on sensitive resources: a subject reaching a sensitive resource from a network (IPv4
 * /24, IPv6 /48), user agent or client it has not used before, the shape of an account takeover.
 *
 * <p>Each subject's known networks, user agents and clients are learned from its allowed requests.
 * A context is new when it was never seen, or first seen less than {@code probation} ago (so an
 * attacker cannot make a context "known" by browsing harmless pages first). Fires when a subject
 * past {@code warmup} (and with {@code min-history-events}) makes an allowed request to a resource
 * under {@code sensitive-prefixes}, or an event of {@code sensitive-types}, with at least
 * {@code min-new-components} new parts of its context. With the default of 2, a trip (new network,
 * same browser) or a new browser at home (same network) stays quiet; a new device on a new network
 * does not.
 *
 * <p>State: about 0.25 KiB per subject, dropped after {@code idle}.
 */
public final class NewContextDetector implements Detector {

    public static final String NAME = "new-context";
    /** How many networks, user agents and clients a subject's history keeps (the oldest replaced). */
    private static final int KNOWN_NETWORKS = 8;
    private static final int KNOWN_AGENTS = 4;
    private static final int KNOWN_CLIENTS = 4;

    private final long warmupMillis;
    private final int minHistory;
    private final long probationSeconds;
    private final int minNew;
    private final List<String> sensitivePrefixes;
    private final List<EventType> sensitiveTypes;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public NewContextDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        warmupMillis = t.duration(NAME + ".warmup", Duration.ofDays(10)).toMillis();
        minHistory = t.integer(NAME + ".min-history-events", 20);
        probationSeconds = t.duration(NAME + ".probation", Duration.ofHours(24)).toSeconds();
        minNew = Math.max(1, Math.min(3, t.integer(NAME + ".min-new-components", 2)));
        sensitivePrefixes = t.list(NAME + ".sensitive-prefixes", List.of("/admin", "/v1/admin"));
        List<EventType> types = new ArrayList<>();
        for (String name : t.list(NAME + ".sensitive-types", List.of("field.decrypt"))) {
            types.add(EventType.fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
                    "threshold '" + NAME + ".sensitive-types' names an unknown event type; use the contract's names")));
        }
        sensitiveTypes = List.copyOf(types);
        evidence = Math.max(1, t.integer(NAME + ".evidence", 10));
        cooldown = Cooldown.read(t, NAME);
        states = EntityStates.boundedWithIdle(t, NAME, 1_000_000, Duration.ofDays(90));
        thresholds = Detectors.thresholdsWithPrefix(t, NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void observe(AuditEvent event, Consumer<Alert> alerts) {
        Outcome outcome = event.outcome();
        if (outcome != Outcome.ALLOW && outcome != Outcome.SUCCESS) {
            return;
        }
        EventType type = event.type();
        if (type != EventType.AUTHZ_DECISION && !sensitiveTypes.contains(type)) {
            return;
        }
        if (!Principals.hasVerifiedActor(event)) {
            return; // a subject a rejected credential claimed is not that subject's context
        }
        String subject = event.actor().subject();
        if (!Principals.nonEmpty(subject) || Principals.isSystem(subject)) {
            return;
        }
        long t = event.time().toEpochMilli();
        State s = states.seen(subject, t, () -> new State(t));
        int now = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (t - s.firstSeen) / 1000));
        int network = Principals.networkHash(event.actor().ip());
        int agent = Principals.hash(event.actor().userAgent());
        int client = Principals.hash(event.actor().clientId());
        boolean newNetwork = isNew(s.networks.firstSeen(network), now);
        boolean newAgent = isNew(s.agents.firstSeen(agent), now);
        boolean newClient = isNew(s.clients.firstSeen(client), now);
        int fresh = (newNetwork ? 1 : 0) + (newAgent ? 1 : 0) + (newClient ? 1 : 0);
        boolean warm = t - s.firstSeen >= warmupMillis && s.events >= minHistory;
        if (fresh > 0 && warm) {
            if (s.evidence == null) {
                s.evidence = new EvidenceRing(evidence);
            }
            s.evidence.add(event.id());
        } else if (fresh == 0) {
            s.evidence = null;
        }
        int context = 31 * (31 * network + agent) + client;
        if (warm && fresh >= minNew && isSensitive(event) && context != s.alertedContext && cooldown.tryAlert(s, t)) {
            // One alert per new context: the same device on the same network is reported once.
            s.alertedContext = context;
            List<String> parts = new ArrayList<>(3);
            if (newNetwork) {
                parts.add("network " + Principals.network(event.actor().ip()));
            }
            if (newAgent) {
                parts.add("user agent " + Explain.shorten(event.actor().userAgent()));
            }
            if (newClient) {
                parts.add("client " + Explain.shorten(event.actor().clientId()));
            }
            alerts.accept(Alert.spanning(NAME, fresh == 3 ? Severity.HIGH : Severity.MEDIUM, Entity.subject(subject),
                    event.time(), event.time(), fresh / 3.0 >= 1 ? 0.95 : (fresh == 2 ? 0.8 : 0.6),
                    s.evidence.toList(),
                    "subject " + Explain.shorten(subject) + " reached sensitive "
                            + Explain.shorten(type == EventType.AUTHZ_DECISION
                                    ? event.action() + " " + event.resource() : type.wireName() + " " + event.resource())
                            + " from a context not seen in its " + Explain.span(t - s.firstSeen)
                            + " of history: new " + String.join(", new ", parts)));
        }
        if (type == EventType.AUTHZ_DECISION || type == EventType.FIELD_DECRYPT) {
            s.networks.add(network, now, KNOWN_NETWORKS);
            s.agents.add(agent, now, KNOWN_AGENTS);
            s.clients.add(client, now, KNOWN_CLIENTS);
            if (s.events < Integer.MAX_VALUE) {
                s.events++;
            }
        }
    }

    private boolean isNew(int firstSeen, int now) {
        return firstSeen < 0 || now - firstSeen < probationSeconds;
    }

    private boolean isSensitive(AuditEvent event) {
        if (sensitiveTypes.contains(event.type())) {
            return true;
        }
        String resource = event.resource();
        for (String prefix : sensitivePrefixes) {
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
        final FirstSeenSet networks = new FirstSeenSet();
        final FirstSeenSet agents = new FirstSeenSet();
        final FirstSeenSet clients = new FirstSeenSet();
        final long firstSeen;
        int events;
        EvidenceRing evidence;
        int alertedContext;

        State(long firstSeen) {
            this.firstSeen = firstSeen;
        }
    }
}
