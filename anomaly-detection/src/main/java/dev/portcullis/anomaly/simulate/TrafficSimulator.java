package dev.portcullis.anomaly.simulate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import com.github.f4b6a3.ulid.Ulid;

import dev.portcullis.anomaly.Entity;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * A labelled traffic simulator: benign audit traffic of people and services with daily and weekly
 * rhythms, plus attacks of each {@link AttackClass} injected at chosen times, written in time order
 * with a separate list of {@link Label}s. Deterministic for a seed (event ids included).
 *
 * <p>The benign model is meant to be realistic, not easy: people work office hours in their own
 * time zone (a third of them eight hours west of UTC), a few are night owls, activity drifts slowly
 * up or down, offices share NAT addresses, a third use a phone on a carrier network, browsers are
 * upgraded (new user agent), people travel (new network) and now and then travel with a new laptop
 * (new network and new user agent at once), mistype passwords, get denied now and then, and
 * services gain a route when they are redeployed. Those are exactly the benign events that cause
 * false alerts, and they are left in on purpose.
 */
public final class TrafficSimulator {

    /** The first simulated day: a Monday. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-05T00:00:00Z");
    private static final long DAY = 86_400_000L;
    private static final long HOUR = 3_600_000L;
    private static final String[] BROWSERS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/%d.0", "Mozilla/5.0 (Macintosh) Safari/%d.1",
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/%d.0", "Mozilla/5.0 (Windows NT 10.0) Edg/%d.0",
    };
    private static final String[] ROUTES = {
        "GET /orders/{id}", "POST /orders", "GET /invoices/{id}", "GET /customers/{id}", "PUT /customers/{id}",
        "GET /inventory/{id}", "POST /payments", "GET /payments/{id}", "POST /shipments", "GET /shipments/{id}",
        "GET /catalog/{id}", "POST /notifications", "GET /reports/{id}", "POST /refunds", "GET /ledger/{id}",
        "POST /audit-exports", "GET /pricing/{id}", "POST /emails", "GET /tenants/{id}", "DELETE /carts/{id}",
    };

    /** What to simulate. */
    public record Config(long seed, int users, int services, int days, Instant start, Set<AttackClass> attacks,
            int instancesPerClass, int warmupDays) {
        public Config {
            Objects.requireNonNull(start, "start cannot be null");
            attacks = attacks.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(attacks));
            if (users < 10 || services < 1 || days < warmupDays + 1 || warmupDays < 1 || instancesPerClass < 0) {
                throw new IllegalArgumentException("need at least 10 users, 1 service, and more days than warm-up days");
            }
        }

        /** 300 users, 30 services, 35 days from {@link #DEFAULT_START}, 10 attacks of each class after 14 days. */
        public static Config defaults(long seed) {
            return new Config(seed, 300, 30, 35, DEFAULT_START, EnumSet.allOf(AttackClass.class), 10, 14);
        }
    }

    /** What a run produced. */
    public record Result(long benignEvents, long attackEvents, List<Label> labels) {
    }

    private enum Role { READER, SUPPORT, ADMIN }

    private static final class User {
        String name;
        Role role;
        int utcOffsetHours;
        double level;
        double drift;
        String home;
        String office;
        String mobile;
        int browser;
        int browserVersion;
        long nextUpgrade;
        long tripStart = Long.MIN_VALUE;
        long tripEnd = Long.MIN_VALUE;
        String tripNetwork;
        String tripAgent;
    }

    private static final class Service {
        String spiffe;
        List<String> routes = new ArrayList<>();
        double rate;
        String ip;
        long deployDay = -1;
        String newRoute;
    }

    private final Config config;
    private final SplittableRandom random;
    private final List<User> users = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();
    private final List<AuditEvent> pending = new ArrayList<>();
    private final List<Label> labels = new ArrayList<>();
    private long benign;
    private long attack;
    private int tokenCounter;

    public TrafficSimulator(Config config) {
        this.config = Objects.requireNonNull(config, "config cannot be null");
        this.random = new SplittableRandom(config.seed());
        createPopulation();
    }

    /** Runs the simulation, handing every event, in time order, to {@code out}. */
    public Result run(Consumer<AuditEvent> out) {
        scheduleAttacks();
        long start = config.start().toEpochMilli();
        List<AuditEvent> day = new ArrayList<>();
        for (int d = 0; d < config.days(); d++) {
            long dayStart = start + d * DAY;
            day.clear();
            for (User u : users) {
                simulateUserDay(u, d, dayStart, day);
            }
            for (Service s : services) {
                simulateServiceDay(s, d, dayStart, day);
            }
            benign += day.size();
            pending.addAll(day);
            // People's days are in their own time zones, so a simulated day spills up to about 12 hours
            // either side of its UTC day; what the next day can still precede is held back.
            emitBefore(dayStart + DAY - EMIT_MARGIN, out);
        }
        emitBefore(Long.MAX_VALUE, out);
        return new Result(benign, attack, List.copyOf(labels));
    }

    // --- population ------------------------------------------------------------------------------

    private void createPopulation() {
        String[] offices = {"10.20.1.", "10.20.2.", "10.30.7.", "172.16.40.", "192.168.100."};
        for (int i = 0; i < config.users(); i++) {
            User u = new User();
            u.name = String.format(Locale.ROOT, "user%04d", i);
            double r = random.nextDouble();
            u.role = r < 0.70 ? Role.READER : r < 0.90 ? Role.SUPPORT : Role.ADMIN;
            u.utcOffsetHours = random.nextDouble() < 0.67 ? random.nextInt(0, 3) : -random.nextInt(5, 9);
            if (random.nextDouble() < 0.05) {
                u.utcOffsetHours += 10; // night owl
            }
            u.level = Math.exp(0.5 * gaussian());
            u.drift = -0.01 + 0.03 * random.nextDouble();
            u.office = random.nextDouble() < 0.6 ? offices[random.nextInt(offices.length)] + (1 + random.nextInt(3)) : null;
            u.home = "198.51." + random.nextInt(0, 250) + "." + random.nextInt(1, 250);
            u.mobile = random.nextDouble() < 0.33 ? "100.64." + random.nextInt(0, 250) + "." + random.nextInt(1, 250) : null;
            u.browser = random.nextInt(BROWSERS.length);
            u.browserVersion = 120 + random.nextInt(10);
            u.nextUpgrade = 20 + random.nextInt(25);
            users.add(u);
        }
        String[] namespaces = {"shop", "billing", "logistics", "crm", "platform"};
        for (int i = 0; i < config.services(); i++) {
            Service s = new Service();
            s.spiffe = "spiffe://portcullis.test/ns/" + namespaces[i % namespaces.length] + "/sa/svc-" + i;
            int n = 3 + random.nextInt(6);
            while (s.routes.size() < n) {
                String route = ROUTES[random.nextInt(ROUTES.length)];
                if (!s.routes.contains(route)) {
                    s.routes.add(route);
                }
            }
            s.rate = 20 + random.nextInt(130);
            s.ip = "10.9." + (i / 250) + "." + (1 + i % 250);
            if (random.nextDouble() < 0.2) {
                s.deployDay = config.warmupDays() / 2 + random.nextInt(Math.max(1, config.days() - config.warmupDays() / 2));
                String route;
                do {
                    route = ROUTES[random.nextInt(ROUTES.length)];
                } while (s.routes.contains(route));
                s.newRoute = route;
            }
            services.add(s);
        }
    }

    // --- benign traffic --------------------------------------------------------------------------

    private void simulateUserDay(User u, int d, long dayStart, List<AuditEvent> out) {
        if (d == u.nextUpgrade) {
            u.browserVersion++;
            u.nextUpgrade = d + 25 + random.nextInt(15);
        }
        if (d > u.tripEnd / DAY && random.nextDouble() < 1.0 / 60) {
            u.tripStart = d;
            u.tripEnd = (d + 2 + random.nextInt(3)) * DAY;
            u.tripNetwork = "192.0.2." + random.nextInt(1, 250);
            u.tripAgent = random.nextDouble() < 0.1 ? String.format(Locale.ROOT, BROWSERS[(u.browser + 1) % BROWSERS.length],
                    u.browserVersion + 1) : null;
        }
        boolean traveling = d >= u.tripStart && (long) d * DAY < u.tripEnd;
        // Local working day, shifted to UTC by the user's offset.
        long localMidnight = dayStart - u.utcOffsetHours * HOUR;
        int localDow = (int) Math.floorMod((Math.floorDiv(localMidnight + 12 * HOUR, DAY) + 3), 7L);
        boolean weekend = localDow >= 5;
        if (random.nextDouble() > (weekend ? 0.08 : 0.9)) {
            return;
        }
        double rate = 12 * u.level * Math.pow(1 + u.drift, d) * (weekend ? 0.4 : 1.0);
        int startHour = weekend ? 10 + random.nextInt(6) : 8 + random.nextInt(2);
        int hours = weekend ? 1 + random.nextInt(3) : 7 + random.nextInt(3);
        boolean onMobile = u.mobile != null && random.nextDouble() < 0.2;
        String ip = traveling ? u.tripNetwork : onMobile ? u.mobile : (u.office != null && !weekend ? u.office : u.home);
        String agent = traveling && u.tripAgent != null ? u.tripAgent
                : onMobile ? "PortcullisMobile/3." + (u.browserVersion % 5) + " (Android 14)"
                : String.format(Locale.ROOT, BROWSERS[u.browser], u.browserVersion);
        String client = onMobile ? "mobile-app" : "web-frontend";
        String token = null;
        long tokenUntil = 0;
        for (int h = 0; h < hours; h++) {
            long hourStart = localMidnight + (startHour + h) * HOUR;
            double shape = (startHour + h == 12 || startHour + h == 13) ? 0.5 : 1.0;
            int n = poisson(rate * shape);
            long[] times = new long[n];
            for (int i = 0; i < n; i++) {
                times[i] = hourStart + random.nextLong(HOUR);
            }
            java.util.Arrays.sort(times);
            for (long t : times) {
                if (token == null || t > tokenUntil) {
                    // A new login: occasionally mistyped first.
                    if (random.nextDouble() < 0.05) {
                        int failures = random.nextDouble() < 0.1 ? 3 + random.nextInt(4) : 1 + random.nextInt(2);
                        for (int f = 0; f < failures; f++) {
                            out.add(failedLogin(t - (failures - f) * 15_000L, u.name, ip, agent, client));
                        }
                    }
                    token = "jti-" + Integer.toHexString(++tokenCounter) + "-" + Long.toHexString(random.nextLong() & 0xffffffL);
                    tokenUntil = t + HOUR + random.nextLong(HOUR);
                }
                Actor actor = new Actor(u.name, client, null, ip, agent, token, "sess-" + token.substring(4));
                out.add(userAction(u, t, actor));
            }
        }
    }

    private AuditEvent userAction(User u, long t, Actor actor) {
        double r = random.nextDouble();
        if (u.role == Role.SUPPORT && r < 0.35) {
            return event(EventType.FIELD_DECRYPT, t, actor, "decrypt", "customers/" + random.nextInt(100_000) + "/ssn",
                    Outcome.SUCCESS, "policy:fields", 1 + random.nextInt(5));
        }
        if (u.role == Role.ADMIN && r < 0.2) {
            String[] admin = {"/admin/keys", "/admin/audit/checkpoint", "/admin/anomalies", "/admin/users"};
            return event(EventType.AUTHZ_DECISION, t, actor, "GET", admin[random.nextInt(admin.length)], Outcome.ALLOW,
                    "role:security-admin", 0);
        }
        if (r > 0.99) {
            return event(EventType.AUTHZ_DECISION, t, actor, "GET", "/orders/" + random.nextInt(100_000) + "/items",
                    Outcome.DENY, "no_matching_route", 0);
        }
        return event(EventType.AUTHZ_DECISION, t, actor, "GET", "/orders/" + random.nextInt(100_000), Outcome.ALLOW,
                "role:order-reader", 0);
    }

    private void simulateServiceDay(Service s, int d, long dayStart, List<AuditEvent> out) {
        int dow = (int) Math.floorMod(Math.floorDiv(dayStart, DAY) + 3, 7L);
        double week = dow >= 5 ? 0.5 : 1.0;
        Actor actor = new Actor(null, null, s.spiffe, s.ip, "grpc-java/1.70", null, null);
        for (int h = 0; h < 24; h++) {
            double diurnal = 0.3 + 0.7 * Math.max(0, Math.sin(Math.PI * (h - 6) / 14.0));
            int n = poisson(s.rate * diurnal * week);
            for (int i = 0; i < n; i++) {
                long t = dayStart + h * HOUR + random.nextLong(HOUR);
                String route = s.deployDay >= 0 && d >= s.deployDay && random.nextDouble() < 0.1 ? s.newRoute
                        : s.routes.get(random.nextInt(s.routes.size()));
                String[] parts = route.split(" ");
                String path = parts[1].replace("{id}", Integer.toString(random.nextInt(1_000_000)));
                Outcome outcome = random.nextDouble() < 0.001 ? Outcome.DENY : Outcome.ALLOW;
                out.add(event(EventType.AUTHZ_DECISION, t, actor, parts[0], path, outcome,
                        outcome == Outcome.ALLOW ? "spiffe:" + s.spiffe : "spiffe_id_not_allowed", 0));
            }
        }
    }

    // --- attacks ---------------------------------------------------------------------------------

    private void scheduleAttacks() {
        long first = config.start().toEpochMilli() + config.warmupDays() * DAY;
        long span = (config.days() - config.warmupDays()) * DAY - 2 * HOUR;
        // Enum order, not the set's: Set.copyOf iterates in a per-JVM random order, which would make
        // the random stream, and so the whole run, differ between runs of the same seed.
        for (AttackClass c : AttackClass.values()) {
            if (!config.attacks().contains(c)) {
                continue;
            }
            for (int i = 0; i < config.instancesPerClass(); i++) {
                long t = first + random.nextLong(span);
                String instance = c.wireName() + "-" + (i + 1);
                List<AuditEvent> events = new ArrayList<>();
                Entity entity = switch (c) {
                    case CREDENTIAL_STUFFING -> stuffing(t, events);
                    case BRUTE_FORCE -> bruteForce(t, events);
                    case TOKEN_REPLAY -> tokenReplay(t, events);
                    case PRIVILEGE_PROBING -> probing(t, events);
                    case RATE_SPIKE -> rateSpike(t, events);
                    case MASS_DECRYPTION -> massDecryption(t, events);
                    case NEW_CONTEXT -> newContext(t, events);
                    case SERVICE_MISUSE -> serviceMisuse(t, events);
                    case OFF_HOURS_INSIDER -> offHours(t, events);
                };
                events.sort(Comparator.comparing(AuditEvent::time));
                attack += events.size();
                pending.addAll(events);
                labels.add(new Label(instance, c, entity, events.getFirst().time(), events.getLast().time(),
                        events.stream().map(AuditEvent::id).toList()));
            }
        }
    }

    private String attackerIp() {
        return "203.0.113." + random.nextInt(1, 255);
    }

    private User pick(Role... roles) {
        Set<Role> wanted = Set.of(roles);
        while (true) {
            User u = users.get(random.nextInt(users.size()));
            if (wanted.contains(u.role)) {
                return u;
            }
        }
    }

    private Entity stuffing(long t, List<AuditEvent> out) {
        String ip = attackerIp();
        int attempts = 100 + random.nextInt(300);
        long gap = 500 + random.nextInt(2500);
        for (int i = 0; i < attempts; i++) {
            String subject = random.nextDouble() < 0.3 ? users.get(random.nextInt(users.size())).name
                    : "user" + random.nextInt(1_000_000);
            out.add(failedLogin(t + i * gap, subject, ip, "python-requests/2.31", "portcullis-cli"));
        }
        return Entity.ip(ip);
    }

    private Entity bruteForce(long t, List<AuditEvent> out) {
        User victim = pick(Role.values());
        int attempts = 20 + random.nextInt(60);
        String[] ips = {attackerIp(), attackerIp(), attackerIp()};
        int sources = 1 + random.nextInt(3);
        long gap = 5_000 + random.nextInt(15_000);
        for (int i = 0; i < attempts; i++) {
            out.add(failedLogin(t + i * gap, victim.name, ips[i % sources], "hydra/9.5", "portcullis-cli"));
        }
        return Entity.subject(victim.name);
    }

    private Entity tokenReplay(long t, List<AuditEvent> out) {
        User victim = pick(Role.values());
        String token = "jti-stolen-" + Long.toHexString(random.nextLong() & 0xffffffffL);
        String agent = String.format(Locale.ROOT, BROWSERS[victim.browser], victim.browserVersion);
        String home = victim.office != null ? victim.office : victim.home;
        Actor owner = new Actor(victim.name, "web-frontend", null, home, agent, token, "sess-x");
        for (int i = 0; i < 3; i++) {
            // The owner's own use is benign traffic, not part of the attack.
            AuditEvent e = event(EventType.AUTHZ_DECISION, t + i * 20_000L, owner, "GET", "/orders/" + random.nextInt(100_000),
                    Outcome.ALLOW, "role:order-reader", 0);
            pending.add(e);
            benign++;
        }
        Actor thief = new Actor(victim.name, "web-frontend", null, attackerIp(), "python-requests/2.31", token, "sess-x");
        int n = 5 + random.nextInt(15);
        long base = t + 60_000 + random.nextInt(240_000);
        for (int i = 0; i < n; i++) {
            out.add(event(EventType.AUTHZ_DECISION, base + i * 10_000L, thief, "GET", "/orders/" + random.nextInt(100_000),
                    Outcome.ALLOW, "role:order-reader", 0));
        }
        return Entity.token(token);
    }

    private Entity probing(long t, List<AuditEvent> out) {
        User u = pick(Role.READER);
        Actor actor = userActor(u, "jti-probe-" + Long.toHexString(random.nextLong() & 0xffffffL));
        String[] areas = {"/admin/keys", "/admin/users", "/admin/audit", "/invoices", "/customers", "/payments",
            "/refunds", "/reports", "/ledger", "/tenants", "/exports", "/settings", "/billing", "/teams"};
        int n = 15 + random.nextInt(45);
        long gap = 5_000 + random.nextInt(15_000);
        for (int i = 0; i < n; i++) {
            String path = areas[random.nextInt(areas.length)] + (random.nextBoolean() ? "" : "/" + random.nextInt(1000));
            out.add(event(EventType.AUTHZ_DECISION, t + i * gap, actor, random.nextDouble() < 0.7 ? "GET" : "POST", path,
                    Outcome.DENY, "not_granted", 0));
        }
        return Entity.subject(u.name);
    }

    private Entity rateSpike(long t, List<AuditEvent> out) {
        User u = pick(Role.READER, Role.SUPPORT);
        Actor actor = userActor(u, "jti-scrape-" + Long.toHexString(random.nextLong() & 0xffffffL));
        double normalPeak = 12 * u.level;
        int n = (int) Math.round(normalPeak * (8 + random.nextInt(13)));
        long duration = (30 + random.nextInt(31)) * 60_000L;
        for (int i = 0; i < n; i++) {
            out.add(event(EventType.AUTHZ_DECISION, t + random.nextLong(duration), actor, "GET",
                    "/orders/" + random.nextInt(100_000), Outcome.ALLOW, "role:order-reader", 0));
        }
        return Entity.subject(u.name);
    }

    private Entity massDecryption(long t, List<AuditEvent> out) {
        User u = pick(Role.SUPPORT);
        Actor actor = userActor(u, "jti-exfil-" + Long.toHexString(random.nextLong() & 0xffffffL));
        // A support agent decrypts about 12 * level * 0.35 * 3 fields an hour; the attack takes 15-40 times that.
        double normal = 12 * u.level * 0.35 * 3;
        int total = (int) Math.round(normal * (15 + random.nextInt(26)));
        long duration = (20 + random.nextInt(41)) * 60_000L;
        int remaining = Math.max(total, 50);
        while (remaining > 0) {
            int fields = Math.min(remaining, 5 + random.nextInt(46));
            remaining -= fields;
            out.add(event(EventType.FIELD_DECRYPT, t + random.nextLong(duration), actor, "decrypt",
                    "customers/" + random.nextInt(100_000) + "/ssn", Outcome.SUCCESS, "policy:fields", fields));
        }
        return Entity.subject(u.name);
    }

    private Entity newContext(long t, List<AuditEvent> out) {
        User u = pick(Role.ADMIN, Role.SUPPORT);
        String token = "jti-ato-" + Long.toHexString(random.nextLong() & 0xffffffL);
        Actor attacker = new Actor(u.name, "web-frontend", null, attackerIp(), "Mozilla/5.0 (X11; Linux x86_64) Firefox/115.0",
                token, "sess-" + token);
        int n = 3 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            long at = t + i * (20_000L + random.nextInt(60_000));
            if (i == 0) {
                out.add(event(EventType.AUTHZ_DECISION, at, attacker, "GET", "/orders/" + random.nextInt(100_000),
                        Outcome.ALLOW, "role:order-reader", 0));
            } else if (u.role == Role.ADMIN) {
                out.add(event(EventType.AUTHZ_DECISION, at, attacker, "GET", i % 2 == 0 ? "/admin/users" : "/admin/keys",
                        Outcome.ALLOW, "role:security-admin", 0));
            } else {
                out.add(event(EventType.FIELD_DECRYPT, at, attacker, "decrypt", "customers/" + random.nextInt(100_000) + "/ssn",
                        Outcome.SUCCESS, "policy:fields", 1 + random.nextInt(5)));
            }
        }
        return Entity.subject(u.name);
    }

    private Entity serviceMisuse(long t, List<AuditEvent> out) {
        Service s = services.get(random.nextInt(services.size()));
        Actor actor = new Actor(null, null, s.spiffe, s.ip, "curl/8.5", null, null);
        int n = 2 + random.nextInt(9);
        for (int i = 0; i < n; i++) {
            String route;
            do {
                route = random.nextDouble() < 0.3 ? "GET /admin/keys" : ROUTES[random.nextInt(ROUTES.length)];
            } while (s.routes.contains(route) || route.equals(s.newRoute));
            String[] parts = route.split(" ");
            Outcome outcome = random.nextDouble() < 0.5 ? Outcome.ALLOW : Outcome.DENY;
            out.add(event(EventType.AUTHZ_DECISION, t + i * (10_000L + random.nextInt(50_000)), actor, parts[0],
                    parts[1].replace("{id}", Integer.toString(random.nextInt(1_000_000))), outcome,
                    outcome == Outcome.ALLOW ? "spiffe:" + s.spiffe : "spiffe_id_not_allowed", 0));
        }
        return Entity.spiffe(s.spiffe);
    }

    private Entity offHours(long t, List<AuditEvent> out) {
        User u = pick(Role.READER, Role.SUPPORT);
        // 02:00-04:00 in the user's own time zone, a moderate number of requests over many areas.
        long localMidnight = Math.floorDiv(t, DAY) * DAY - u.utcOffsetHours * HOUR;
        long start = localMidnight + 2 * HOUR + random.nextLong(HOUR);
        Actor actor = userActor(u, "jti-night-" + Long.toHexString(random.nextLong() & 0xffffffL));
        String[] areas = {"/orders", "/invoices", "/customers", "/payments", "/reports", "/ledger", "/exports",
            "/tenants", "/pricing", "/catalog", "/shipments", "/refunds"};
        int n = 30 + random.nextInt(40);
        for (int i = 0; i < n; i++) {
            String area = areas[random.nextInt(areas.length)];
            boolean allowed = area.equals("/orders") || random.nextDouble() < 0.8;
            out.add(event(EventType.AUTHZ_DECISION, start + random.nextLong(90 * 60_000L), actor, "GET",
                    area + "/" + random.nextInt(100_000) + "/export", allowed ? Outcome.ALLOW : Outcome.DENY,
                    allowed ? "role:order-reader" : "not_granted", 0));
        }
        return Entity.subject(u.name);
    }

    private Actor userActor(User u, String token) {
        String agent = String.format(Locale.ROOT, BROWSERS[u.browser], u.browserVersion);
        return new Actor(u.name, "web-frontend", null, u.office != null ? u.office : u.home, agent, token, "sess-" + token);
    }

    // --- events ----------------------------------------------------------------------------------

    private AuditEvent failedLogin(long t, String subject, String ip, String agent, String client) {
        return event(EventType.AUTHN_FAILURE, t, new Actor(subject, client, null, ip, agent, null, null), "POST",
                "/realms/portcullis/protocol/openid-connect/token", Outcome.DENY, "invalid_grant", 0);
    }

    private AuditEvent event(EventType type, long t, Actor actor, String action, String resource, Outcome outcome,
            String reason, int fields) {
        byte[] entropy = new byte[10];
        random.nextBytes(entropy);
        AuditEvent.Builder b = AuditEvent.builder(type, Instant.ofEpochMilli(t))
                .id(new Ulid(t, entropy).toString())
                .actor(actor).action(action).resource(resource).outcome(outcome).reason(reason)
                .requestId(Long.toHexString(random.nextLong()));
        if (fields > 0) {
            b.attribute("fields", fields).attribute("classes", List.of("pii"));
        }
        return b.build();
    }

    private int poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 50) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian()));
        }
        double limit = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > limit);
        return k - 1;
    }

    private double gaussian() {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Margin kept back at each day's end: the earliest next-day event is at most this much before midnight. */
    private static final long EMIT_MARGIN = 14 * HOUR;

    private void emitBefore(long limit, Consumer<AuditEvent> out) {
        List<AuditEvent> now = new ArrayList<>();
        List<AuditEvent> later = new ArrayList<>();
        for (AuditEvent e : pending) {
            (e.time().toEpochMilli() < limit ? now : later).add(e);
        }
        pending.clear();
        pending.addAll(later);
        now.sort(Comparator.comparing(AuditEvent::time).thenComparing(AuditEvent::id));
        now.forEach(out);
    }

    /** The simulated span, for reports. */
    public Duration span() {
        return Duration.ofDays(config.days());
    }
}
