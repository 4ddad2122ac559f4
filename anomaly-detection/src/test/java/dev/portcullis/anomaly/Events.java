package dev.portcullis.anomaly;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/** Hand-made audit events for detector tests: valid defaults, one line per variation. */
public final class Events {

    /** A Monday, 09:00 UTC. */
    public static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

    private Events() {
    }

    public static Actor user(String subject, String ip, String userAgent) {
        return new Actor(subject, "web-frontend", null, ip, userAgent, "tok-" + subject, "sess-" + subject);
    }

    public static Actor withToken(Actor a, String tokenId) {
        return new Actor(a.subject(), a.clientId(), a.spiffeId(), a.ip(), a.userAgent(), tokenId, a.sessionId());
    }

    public static Actor workload(String spiffeId) {
        return new Actor(null, null, spiffeId, "10.9.0.5", "grpc-java/1.70", null, null);
    }

    public static AuditEvent failedLogin(Instant time, String claimedSubject, String ip) {
        return AuditEvent.builder(EventType.AUTHN_FAILURE, time)
                .actor(new Actor(claimedSubject, "portcullis-cli", null, ip, "python-requests/2.31", null, null))
                .action("POST").resource("/realms/portcullis/protocol/openid-connect/token")
                .outcome(Outcome.DENY).reason("invalid_grant").build();
    }

    public static AuditEvent request(Instant time, Actor actor, String method, String path, Outcome outcome) {
        return AuditEvent.builder(EventType.AUTHZ_DECISION, time).actor(actor).action(method).resource(path)
                .outcome(outcome).reason(outcome == Outcome.ALLOW ? "role:order-reader" : "not_granted").build();
    }

    public static AuditEvent decrypt(Instant time, Actor actor, int fields) {
        return AuditEvent.builder(EventType.FIELD_DECRYPT, time).actor(actor).action("decrypt")
                .resource("customers.ssn").outcome(Outcome.SUCCESS).attribute("fields", fields).build();
    }

    /** Collects what the detector under test raises. */
    public static final class Collector implements Consumer<Alert> {
        public final List<Alert> alerts = new ArrayList<>();

        @Override
        public void accept(Alert alert) {
            alerts.add(alert);
        }
    }

    /** Runs {@code events} through {@code detector}, advancing time every minute, and returns its alerts. */
    public static List<Alert> run(Detector detector, List<AuditEvent> events) {
        Collector out = new Collector();
        DetectionEngine engine = new DetectionEngine(List.of(detector), out, Duration.ofMinutes(1));
        events.forEach(engine::process);
        engine.finish();
        return out.alerts;
    }
}
