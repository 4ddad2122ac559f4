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
import dev.portcullis.anomaly.internal.EventIds;
import dev.portcullis.anomaly.internal.EvidenceRing;
import dev.portcullis.anomaly.internal.Explain;
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.RecentDistinct;
import dev.portcullis.audit.AuditEvent;

/**
 * Token replay: one token id presented from several places at once. A bearer token is issued to
 * one client on one device; the same {@code token_id} from a second user agent, or from
 * {@code min-distinct-ips} IPs, within {@code window}, means someone else holds a copy. Fires when
 * either count is reached; a single IP change (a phone moving from Wi-Fi to mobile data) is not
 * enough on its own with the defaults.
 *
 * <p>State: per token seen within the last {@code window}, about 0.3 KiB, dropped after
 * {@code window} of disuse.
 */
public final class TokenReplayDetector implements Detector {

    public static final String NAME = "token-replay";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    public static final int DEFAULT_MIN_DISTINCT_IPS = 3;
    public static final int DEFAULT_MIN_DISTINCT_USER_AGENTS = 2;

    private final Duration window;
    private final long windowMillis;
    private final int minIps;
    private final int minAgents;
    /** The most distinct IPs and user agents a token's window counts. */
    private final int ipCapacity;
    private final int agentCapacity;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public TokenReplayDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        window = t.duration(NAME + ".window", DEFAULT_WINDOW);
        windowMillis = window.toMillis();
        minIps = Math.max(2, t.integer(NAME + ".min-distinct-ips", DEFAULT_MIN_DISTINCT_IPS));
        minAgents = Math.max(2, t.integer(NAME + ".min-distinct-user-agents", DEFAULT_MIN_DISTINCT_USER_AGENTS));
        ipCapacity = Math.max(4, minIps);
        agentCapacity = Math.max(4, minAgents);
        evidence = Math.max(2, t.integer(NAME + ".evidence", 10));
        cooldown = Cooldown.read(t, NAME);
        states = EntityStates.bounded(t, NAME, 1_000_000, windowMillis);
        thresholds = Detectors.thresholdsWithPrefix(t, NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void observe(AuditEvent event, Consumer<Alert> alerts) {
        String token = event.actor().tokenId();
        if (!Principals.nonEmpty(token) || !Principals.hasVerifiedActor(event)
                || Principals.isSystem(event.actor().subject())) {
            return;
        }
        long t = event.time().toEpochMilli();
        State s = states.seen(token, t, State::new);
        if (s.first == Long.MIN_VALUE) {
            s.keepFirstEventId(event.id());
            s.first = t;
            s.subject = event.actor().subject();
        }
        int before = s.ips.count(t, windowMillis) + s.agents.count(t, windowMillis);
        int ips = s.ips.add(Principals.hash(event.actor().ip()), t, windowMillis, ipCapacity);
        int agents = s.agents.add(Principals.hash(event.actor().userAgent()), t, windowMillis, agentCapacity);
        if (ips + agents > before && before > 0) {
            // A new place for this token: keep the evidence from here on (and where it started).
            if (s.evidence == null) {
                s.evidence = new EvidenceRing(evidence);
                s.evidence.add(s.firstEventId());
            }
        }
        if (s.evidence != null) {
            s.evidence.add(event.id());
        }
        if ((ips >= minIps || agents >= minAgents) && cooldown.tryAlert(s, t)) {
            boolean both = ips >= 2 && agents >= 2;
            double ratio = Math.max((double) ips / minIps, (double) agents / minAgents);
            String who = s.subject == null ? "" : " of subject " + Explain.shorten(s.subject);
            alerts.accept(Alert.spanning(NAME, both ? Severity.CRITICAL : Severity.HIGH, Entity.token(token),
                    Instant.ofEpochMilli(Math.max(s.first, t - windowMillis)), event.time(),
                    Explain.ruleScore(ratio, 1.0), s.evidence == null ? List.of(event.id()) : s.evidence.toList(),
                    "token " + Explain.shorten(token) + who + " used from " + Explain.count(ips, "IP", "IPs")
                            + " and " + Explain.count(agents, "user agent", "user agents") + " within "
                            + Explain.window(window) + ", latest from " + Explain.shorten(event.actor().ip())
                            + " (threshold: " + minIps + " IPs or " + minAgents + " user agents)"));
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
        final RecentDistinct ips = new RecentDistinct();
        final RecentDistinct agents = new RecentDistinct();
        /**
         * The token's first event id, kept until the token is seen from a second place: as its 128
         * bits when it is a ULID ({@link EventIds}), not as the event's string, which would stay
         * alive for as long as every token is tracked.
         */
        long firstIdHigh;
        long firstIdLow;
        String firstIdOther;
        String subject;
        /** When the token was first seen (epoch ms); {@code Long.MIN_VALUE} before its first event. */
        long first = Long.MIN_VALUE;
        EvidenceRing evidence;

        void keepFirstEventId(String id) {
            if (EventIds.isCompact(id)) {
                firstIdHigh = EventIds.high(id);
                firstIdLow = EventIds.low(id);
            } else {
                firstIdOther = id;
            }
        }

        String firstEventId() {
            return firstIdOther != null ? firstIdOther : EventIds.decode(firstIdHigh, firstIdLow);
        }
    }
}
