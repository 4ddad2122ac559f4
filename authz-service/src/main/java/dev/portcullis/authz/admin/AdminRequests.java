package dev.portcullis.authz.admin;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.identity.Principal;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the admin and field endpoints know about their caller, and how they record what it did.
 * The caller is the verified {@link Principal} that {@code SecurityConfiguration}'s filter put in
 * the security context (a token's subject, client and session; a certificate's SPIFFE ID); the
 * audit {@link Actor} is made from it plus the connection's address and user agent.
 *
 * <p>{@link #record} appends an {@code admin.action} event and reports whether it could: a
 * mutating admin request whose record cannot be written is answered as a failure (no result
 * without an audit record), even if the library below already did its work and audited it.
 */
public final class AdminRequests {

    private static final Logger log = LoggerFactory.getLogger(AdminRequests.class);
    private static final int MAX_USER_AGENT = 256;
    private static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final AuditSink audit;
    private final Clock clock;
    private final JsonMapper json;

    public AdminRequests(AuditSink audit, Clock clock, JsonMapper json) {
        this.audit = Objects.requireNonNull(audit, "audit cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
    }

    /** The verified caller of this request; fails when there is none (the security chain guarantees one). */
    public static Principal principal() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof Principal principal && principal.authenticated()) {
            return principal;
        }
        throw new IllegalStateException("no verified caller in the security context");
    }

    /** The audit actor of this request's caller. */
    public static Actor actor(HttpServletRequest request) {
        Principal principal = principal();
        String userAgent = request.getHeader("User-Agent");
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
            userAgent = userAgent.substring(0, MAX_USER_AGENT);
        }
        return new Actor(principal.subject(), principal.clientId(), principal.spiffeId(), request.getRemoteAddr(),
                userAgent, principal.tokenId(), principal.sessionId());
    }

    /** The request's {@code X-Request-Id} if it is a plain identifier (1 to 128 of [A-Za-z0-9._:-]), else null. */
    public static String requestId(HttpServletRequest request) {
        String id = request.getHeader("X-Request-Id");
        return id != null && REQUEST_ID.matcher(id).matches() ? id : null;
    }

    /** A short name for the caller (subject, else SPIFFE ID, else client id), e.g. for "acknowledged by". */
    public static String callerName(Actor actor) {
        return actor.subject() != null ? actor.subject() : actor.spiffeId() != null ? actor.spiffeId() : actor.clientId();
    }

    /**
     * Appends an {@code admin.action} event; returns its id, or null when it could not be written
     * (logged; the caller must then refuse to report success).
     */
    public String record(Actor actor, String action, String resource, Outcome outcome, String reason,
            Map<String, ?> attributes) {
        AuditEvent event = AuditEvent.builder(EventType.ADMIN_ACTION, clock.instant())
                .actor(actor)
                .action(action)
                .resource(resource)
                .outcome(outcome)
                .reason(reason)
                .attributes(attributes)
                .build();
        try {
            audit.append(event);
            return event.id();
        } catch (RuntimeException e) {
            log.error("admin action {} on {} by {} could not be audited: {}", action, resource, callerName(actor), e.getMessage());
            return null;
        }
    }

    /** Writes {@code body} as JSON with {@code status} and {@code Cache-Control: no-store}. */
    public void writeJson(HttpServletResponse response, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /**
     * Answers 404 {@code not_enabled} for an endpoint whose feature is off on this instance, naming
     * the property that turns it on; returns true when it did.
     */
    public boolean notEnabled(Object feature, String property, HttpServletResponse response) throws IOException {
        if (feature != null) {
            return false;
        }
        writeJson(response, 404, error("not_enabled", "this endpoint is not enabled on this service (" + property + ")"));
        return true;
    }

    /** {@code {"error": code, "message": message}}. */
    public static Map<String, Object> error(String code, String message) {
        return message == null ? Map.of("error", code) : Map.of("error", code, "message", message);
    }

    /** The JSON mapper of the service (strict: duplicate members are an error). */
    public JsonMapper json() {
        return json;
    }

    /** Reads at most {@code limit} bytes of the request body; more is an error. */
    public static byte[] body(HttpServletRequest request, int limit) throws IOException, BodyTooLargeException {
        byte[] raw = request.getInputStream().readNBytes(limit + 1);
        if (raw.length > limit) {
            throw new BodyTooLargeException(limit);
        }
        return raw;
    }

    /** The request body is larger than the endpoint accepts. */
    public static final class BodyTooLargeException extends Exception {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(int limit) {
            super("the request body is larger than " + limit + " bytes");
        }
    }
}
