package dev.portcullis.anomaly.detectors;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import dev.portcullis.anomaly.internal.Principals;
import dev.portcullis.anomaly.internal.Routes;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * Off-hours access: a principal working at an hour of day it has never (or almost never) worked
 * at, and reaching, in that session, for several route templates it has never called. The shape
 * of an insider (or a stolen account) looking around at night, and a rule SIEMs run by hand.
 *
 * <p>For each principal (subject, else SPIFFE ID, client or IP) it keeps, per UTC hour of day, on
 * how many earlier days the principal was active in that hour (0, 1, 2, or 3 and more), and which
 * route templates ({@code GET /orders/{id}}; decryptions as {@code decrypt <resource template>})
 * it has called. Once the principal has been active on {@code min-active-days} days, an
 * <em>off-hours</em> request is one in an hour of day it was active in on at most
 * {@code max-usual-days} earlier days. Consecutive off-hours requests with gaps under
 * {@code session-gap} are one session (a 90-minute session over two clock hours is one session);
 * the rule fires when a session has at least {@code min-requests} requests and at least
 * {@code min-new-routes} distinct route templates the principal never called before. Severity
 * high from twice {@code min-new-routes}, medium below.
 *
 * <p>Its benign twin stays quiet: a person who works late now and then on their usual routes
 * (breadth, not the hour alone, is what fires), and an on-call engineer with a history of night
 * work (the hour is usual for it). A session that does not alert teaches the principal its routes;
 * one that alerts teaches neither its hours nor its routes, so a second night is judged against
 * the same past.
 *
 * <p>State: about 80 bytes per principal (the hour profile and the count of active days share a long; the known routes are a
 * 128-bit Bloom filter with two hash functions, so a principal that has called about 20 or more
 * templates starts to take some new ones for known ones and needs a broader session to alert),
 * plus a small session object only while an off-hours session is open.
 */
public final class OffHoursAccessDetector implements Detector {

    public static final String NAME = "off-hours-access";
    private static final long HOUR = 3_600_000L;
    private static final int HOURS_PER_DAY = 24;
    /** The hour counters are two bits: "3" means three or more days. */
    private static final int COUNTER_MAX = 3;
    private static final int ACTIVE_DAYS_SHIFT = 2 * HOURS_PER_DAY;
    /** A state's open hour before its first event. */
    private static final int NO_HOUR = Integer.MIN_VALUE;
    /** Route templates named in an explanation. */
    private static final int NAMED_ROUTES = 3;
    /** The most new route templates a session counts (and the largest {@code min-new-routes}). */
    private static final int MAX_SESSION_ROUTES = 64;

    private final int minActiveDays;
    private final int maxUsualDays;
    private final int minNewRoutes;
    private final int minRequests;
    private final long sessionGapMillis;
    private final int evidence;
    private final Cooldown cooldown;
    private final EntityStates<State> states;
    private final Map<String, String> thresholds;

    public OffHoursAccessDetector(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        minActiveDays = Math.max(1, t.integer(NAME + ".min-active-days", 7));
        maxUsualDays = t.integer(NAME + ".max-usual-days", 1);
        if (maxUsualDays < 0 || maxUsualDays >= COUNTER_MAX) {
            throw new IllegalArgumentException(NAME + ".max-usual-days must be 0, 1 or 2 (the profile counts"
                    + " days per hour up to 3), was " + maxUsualDays);
        }
        minNewRoutes = Math.max(1, Math.min(MAX_SESSION_ROUTES, t.integer(NAME + ".min-new-routes", 3)));
        minRequests = Math.max(1, t.integer(NAME + ".min-requests", 10));
        sessionGapMillis = t.duration(NAME + ".session-gap", Duration.ofMinutes(30)).toMillis();
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
        if (type != EventType.AUTHZ_DECISION && type != EventType.FIELD_DECRYPT) {
            return;
        }
        Entity who = Principals.principal(event);
        if (who == null) {
            return;
        }
        long t = event.time().toEpochMilli();
        long hour = Math.floorDiv(t, HOUR);
        State s = states.seen(Principals.stateKey(who), t, State::new);
        if (hour != s.openHour) {
            if (hour < s.openHour) {
                return; // a late event from an hour already learnt from
            }
            closeHour(s, hour);
            s.openHour = (int) hour;
        }
        if (s.alwaysUsual) {
            // Active at every hour of day (a workload, a shared account): it can never be off-hours,
            // as the counts only grow, so its routes need not be learnt either.
            return;
        }
        int route = Routes.templateHash(event.action(), event.resource());
        Session session = s.session;
        if (session != null && t - session.last >= sessionGapMillis) {
            endSession(s);
            session = null;
        }
        int hourOfDay = (int) Math.floorMod(hour, (long) HOURS_PER_DAY);
        boolean offHours = s.activeDays() >= minActiveDays && s.daysActiveAt(hourOfDay) <= maxUsualDays;
        if (!offHours) {
            if (session != null) {
                endSession(s);
            }
            s.learnRoute(route);
            return;
        }
        if (session == null) {
            session = new Session(t, new EvidenceRing(evidence));
            s.session = session;
        }
        session.last = t;
        if (session.alerted) {
            s.hourAlerted = true;
            return; // reported; the rest of the session is neither learnt nor reported again
        }
        session.requests++;
        if (event.outcome() == Outcome.DENY) {
            session.denied++;
        }
        session.evidence.add(event.id());
        if (!s.knowsRoute(route) && session.addNewRoute(route) && session.named.size() < NAMED_ROUTES) {
            session.named.add(Explain.shorten(Routes.template(event.action(), event.resource())));
        }
        if (session.requests >= minRequests && session.newRoutes >= minNewRoutes && cooldown.tryAlert(s, t)) {
            session.alerted = true;
            s.hourAlerted = true;
            alerts.accept(alert(who, s, session, hourOfDay, t));
        }
    }

    private Alert alert(Entity who, State s, Session session, int hourOfDay, long t) {
        int firstHourOfDay = (int) Math.floorMod(Math.floorDiv(session.start, HOUR), (long) HOURS_PER_DAY);
        String hours = firstHourOfDay == hourOfDay
                ? String.format(Locale.ROOT, "at %02d:00-%02d:59 UTC, an hour of day it was active in on %d of its %d"
                        + " active days", hourOfDay, hourOfDay, s.daysActiveAt(hourOfDay), s.activeDays())
                : String.format(Locale.ROOT, "at %02d:00-%02d:59 UTC, hours of day it was active in on at most %d"
                        + " of its %d active days", firstHourOfDay, hourOfDay,
                        Math.max(s.daysActiveAt(firstHourOfDay), s.daysActiveAt(hourOfDay)), s.activeDays());
        String explanation = Explain.entity(who) + " active " + hours + " (off-hours: at most " + maxUsualDays
                + "), " + session.requests + " requests in " + Explain.span(t - session.start) + " ("
                + session.denied + " denied) reaching " + Explain.count(session.newRoutes, "route", "routes")
                + " it never called before (limit " + minNewRoutes + "), e.g. " + String.join(", ", session.named);
        Severity severity = session.newRoutes >= 2 * minNewRoutes ? Severity.HIGH : Severity.MEDIUM;
        return Alert.spanning(NAME, severity, who, Instant.ofEpochMilli(session.start), Instant.ofEpochMilli(t),
                Explain.ruleScore(session.newRoutes, minNewRoutes), session.evidence.toList(), explanation);
    }

    /**
     * Learns the hour that just closed (one more day on which the principal was active at that
     * hour) and, when {@code next} is on a later day, counts the closed hour's day as an active day.
     */
    private void closeHour(State s, long next) {
        if (s.openHour == NO_HOUR) {
            return;
        }
        int hourOfDay = (int) Math.floorMod(s.openHour, (long) HOURS_PER_DAY);
        // An hour of an alerting session does not make the hour usual (a second night is judged
        // against the same past as the first); an hour of a session still open waits for its end.
        if (!s.hourAlerted) {
            if (s.session != null && !s.session.alerted) {
                s.session.pendingHours |= 1 << hourOfDay;
            } else {
                s.countDayAt(hourOfDay);
            }
        }
        if (Math.floorDiv(next, (long) HOURS_PER_DAY) != Math.floorDiv((long) s.openHour, (long) HOURS_PER_DAY)) {
            s.countActiveDay();
        }
        s.hourAlerted = false;
        s.alwaysUsual = s.everyHourUsual(maxUsualDays);
    }

    /** Ends the open session: what a quiet session reached for becomes known to the principal. */
    private static void endSession(State s) {
        Session session = s.session;
        if (!session.alerted) {
            for (int i = 0; i < session.newRoutes; i++) {
                s.learnRoute(session.routes[i]);
            }
            for (int h = 0; h < HOURS_PER_DAY; h++) {
                if ((session.pendingHours & 1 << h) != 0) {
                    s.countDayAt(h);
                }
            }
        }
        s.session = null;
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
        /** The hour of the principal's latest events (hours since the epoch), or {@link #NO_HOUR}. */
        int openHour = NO_HOUR;
        /**
         * Bits 0-47, two per UTC hour of day: on how many days (up to 3) the principal was active
         * then; bits 48-63: on how many earlier days it was active at all (up to 65,535).
         */
        long hourDays;
        /** Route templates called, as a 128-bit Bloom filter with two hash functions. */
        long routesLow;
        long routesHigh;
        boolean hourAlerted;
        /** Active at every hour of day on more than {@code max-usual-days} days: never judged again. */
        boolean alwaysUsual;
        /** The open off-hours session, null when none. */
        Session session;

        int daysActiveAt(int hourOfDay) {
            return (int) (hourDays >>> (2 * hourOfDay)) & COUNTER_MAX;
        }

        int activeDays() {
            return (int) (hourDays >>> ACTIVE_DAYS_SHIFT);
        }

        void countActiveDay() {
            if (activeDays() < 0xffff) {
                hourDays += 1L << ACTIVE_DAYS_SHIFT;
            }
        }

        boolean everyHourUsual(int maxUsualDays) {
            for (int h = 0; h < HOURS_PER_DAY; h++) {
                if (daysActiveAt(h) <= maxUsualDays) {
                    return false;
                }
            }
            return true;
        }

        void countDayAt(int hourOfDay) {
            if (daysActiveAt(hourOfDay) < COUNTER_MAX) {
                hourDays += 1L << (2 * hourOfDay);
            }
        }

        boolean knowsRoute(int route) {
            int mixed = route * 0x9E3779B9;
            return bit(mixed >>> 25) && bit((mixed >>> 18) & 127);
        }

        void learnRoute(int route) {
            int mixed = route * 0x9E3779B9;
            set(mixed >>> 25);
            set((mixed >>> 18) & 127);
        }

        private boolean bit(int i) {
            return ((i < 64 ? routesLow : routesHigh) >>> (i & 63) & 1L) != 0;
        }

        private void set(int i) {
            if (i < 64) {
                routesLow |= 1L << i;
            } else {
                routesHigh |= 1L << (i & 63);
            }
        }
    }

    /** An open off-hours session of one principal. */
    private static final class Session {
        final long start;
        long last;
        int requests;
        int denied;
        int newRoutes;
        /** The distinct new route templates (hashes), the first {@code newRoutes} slots. */
        int[] routes = new int[4];
        /** Hours of day of this session's closed hours, learnt only if it ends without an alert. */
        int pendingHours;
        final List<String> named = new ArrayList<>(NAMED_ROUTES);
        final EvidenceRing evidence;
        boolean alerted;

        Session(long start, EvidenceRing evidence) {
            this.start = start;
            this.last = start;
            this.evidence = evidence;
        }

        /** Adds a route new to the principal; false when the session already had it. */
        boolean addNewRoute(int route) {
            for (int i = 0; i < newRoutes; i++) {
                if (routes[i] == route) {
                    return false;
                }
            }
            if (newRoutes == MAX_SESSION_ROUTES) {
                return false; // far past any min-new-routes; the session's memory stays bounded
            }
            if (newRoutes == routes.length) {
                routes = java.util.Arrays.copyOf(routes, routes.length * 2);
            }
            routes[newRoutes++] = route;
            return true;
        }
    }
}
