package dev.portcullis.authz.check;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.identity.AuthMethod;
import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationResult;
import dev.portcullis.authz.identity.IdentityResolver;
import dev.portcullis.authz.identity.Principal;
import dev.portcullis.authz.policy.PolicyDecision;
import dev.portcullis.authz.policy.PolicyEngine;
import dev.portcullis.authz.policy.PolicyException;

/**
 * Decides about one check: authenticate the caller, ask the policy, record the decision in the
 * audit log, and only then answer. Plain Java, no framework: every adapter calls {@link #check}.
 *
 * <p>Fail closed, always: a rejected credential is a 401; a policy engine that fails, times out or
 * answers nonsense is a 503 deny; a decision that cannot be audited is a 503 deny, whatever the
 * policy said. No path returns an allow without a durable audit record.
 */
public final class Authorizer {

    private static final Logger log = LoggerFactory.getLogger(Authorizer.class);
    public static final String SUBJECT_HEADER = "x-portcullis-subject";
    public static final String DECISION_ID_HEADER = "x-portcullis-decision-id";
    private static final String REALM = "portcullis";

    private final IdentityResolver identity;
    private final PolicyEngine policy;
    private final AuditSink audit;
    private final Clock clock;
    private final DecisionListener listener;

    public Authorizer(IdentityResolver identity, PolicyEngine policy, AuditSink audit, Clock clock,
            DecisionListener listener) {
        this.identity = Objects.requireNonNull(identity, "identity cannot be null");
        this.policy = Objects.requireNonNull(policy, "policy cannot be null");
        this.audit = Objects.requireNonNull(audit, "audit cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.listener = Objects.requireNonNull(listener, "listener cannot be null");
    }

    public Decision check(CheckContext context) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("decision_id", context.decisionId())) {
            return decide(context);
        }
    }

    private Decision decide(CheckContext context) {
        long start = System.nanoTime();
        Decision decision;
        AuditEvent event;
        AuthenticationResult authentication = identity.authenticate(context);
        if (authentication instanceof AuthenticationResult.Rejected rejected) {
            AuthenticationException cause = rejected.cause();
            decision = unauthenticated(context, cause);
            event = authnFailureEvent(context, cause);
            log.info("decision {} rejected credential: {} ({})", context.decisionId(), cause.failure().label(), cause.getMessage());
        } else {
            Principal principal = ((AuthenticationResult.Authenticated) authentication).principal();
            Instant now = clock.instant();
            try {
                PolicyDecision answer = policy.decide(PolicyInputs.of(context, principal, now));
                decision = fromPolicy(context, principal, answer);
            } catch (PolicyException e) {
                log.warn("decision {} denied: policy engine failed: {} ({})", context.decisionId(), e.error().label(), e.getMessage());
                decision = new Decision(context.decisionId(), DecisionCode.POLICY_ERROR, false, 503,
                        List.of("policy_error:" + e.error().label()), Map.of(DECISION_ID_HEADER, context.decisionId()),
                        errorBody("temporarily_unavailable", context.decisionId()), principal.subject());
            }
            event = decisionEvent(context, principal, decision);
        }
        try {
            audit.append(event);
        } catch (RuntimeException e) {
            log.error("decision {} denied: it could not be audited: {}", context.decisionId(), e.getMessage());
            decision = new Decision(context.decisionId(), DecisionCode.AUDIT_ERROR, false, 503,
                    List.of("audit_error"), Map.of(DECISION_ID_HEADER, context.decisionId()),
                    errorBody("temporarily_unavailable", context.decisionId()), decision.subject());
        }
        listener.decided(context, decision, Duration.ofNanos(System.nanoTime() - start));
        return decision;
    }

    /**
     * Authenticates the caller of one of Portcullis' own endpoints (admin API, field encryption),
     * auditing a rejected credential as {@code authn.failure} like a rejected check.
     */
    public AuthenticationResult authenticateCaller(CheckContext context) {
        AuthenticationResult result = identity.authenticate(context);
        if (result instanceof AuthenticationResult.Rejected rejected) {
            try {
                audit.append(authnFailureEvent(context, rejected.cause()));
            } catch (RuntimeException e) {
                log.error("rejected credential of {} could not be audited: {}", context.decisionId(), e.getMessage());
            }
        }
        return result;
    }

    /**
     * Refuses a check that does not say clearly what it is about (an adapter could not build a
     * {@link CheckContext}); audited like every other answer.
     */
    public Decision refuseMalformed(String decisionId, Protocol protocol, String sourceIp, Instant receivedAt, String why) {
        return refuse(decisionId, protocol, sourceIp, receivedAt, DecisionCode.BAD_CHECK, Outcome.DENY, 400, "bad_check", why);
    }

    /**
     * Denies a check whose answer failed unexpectedly (an exception an adapter did not foresee):
     * fail closed with 500, audited with outcome {@code error}. Neither the audit record nor the log
     * carries the exception's message, which may quote the request; the log has where it was thrown.
     */
    public Decision failUnexpectedly(String decisionId, Protocol protocol, String sourceIp, Instant receivedAt,
            RuntimeException failure) {
        StackTraceElement[] trace = failure.getStackTrace();
        log.error("decision {} failed unexpectedly: {} at {}", decisionId, failure.getClass().getName(),
                trace.length > 0 ? trace[0] : "an unknown place");
        return refuse(decisionId, protocol, sourceIp, receivedAt, DecisionCode.INTERNAL_ERROR, Outcome.ERROR, 500,
                "internal_error", "unexpected " + failure.getClass().getSimpleName());
    }

    /** Refuses a caller that may not ask for decisions (not a trusted proxy, not on loopback); audited. */
    public Decision refuseCaller(String decisionId, Protocol protocol, String sourceIp, Instant receivedAt, String why) {
        return refuse(decisionId, protocol, sourceIp, receivedAt, DecisionCode.CALLER_NOT_TRUSTED, Outcome.DENY, 403,
                "caller_not_trusted", why);
    }

    private Decision refuse(String decisionId, Protocol protocol, String sourceIp, Instant receivedAt, DecisionCode code,
            Outcome outcome, int status, String reason, String why) {
        long start = System.nanoTime();
        log.info("decision {} refused ({}): {}", decisionId, reason, why);
        AuditEvent event = AuditEvent.builder(EventType.AUTHZ_DECISION, receivedAt)
                .id(decisionId)
                .actor(new Actor(null, null, null, sourceIp, null, null, null))
                .action("UNKNOWN")
                .resource("unknown")
                .outcome(outcome)
                .reason(reason)
                .attribute("protocol", protocol.label())
                .attribute("status", status)
                .attribute("detail", why)
                .build();
        Decision decision = new Decision(decisionId, code, false, status, List.of(reason),
                Map.of(DECISION_ID_HEADER, decisionId), errorBody(reason, decisionId), null);
        try {
            audit.append(event);
        } catch (RuntimeException e) {
            log.error("decision {} could not be audited: {}", decisionId, e.getMessage());
            decision = new Decision(decisionId, DecisionCode.AUDIT_ERROR, false, 503, List.of("audit_error"),
                    Map.of(DECISION_ID_HEADER, decisionId), errorBody("temporarily_unavailable", decisionId), null);
        }
        listener.decided(null, decision, Duration.ofNanos(System.nanoTime() - start));
        return decision;
    }

    private Decision fromPolicy(CheckContext context, Principal principal, PolicyDecision answer) {
        Map<String, String> headers = new LinkedHashMap<>(answer.headers());
        headers.put(DECISION_ID_HEADER, context.decisionId());
        if (answer.allow()) {
            if (principal.subject() != null) {
                headers.put(SUBJECT_HEADER, principal.subject());
            } else if (principal.spiffeId() != null) {
                headers.put(SUBJECT_HEADER, principal.spiffeId());
            }
            return new Decision(context.decisionId(), DecisionCode.ALLOWED, true, answer.status(), answer.reasons(),
                    headers, null, principal.subject());
        }
        if (answer.status() == 401) {
            headers.putIfAbsent("www-authenticate", "Bearer realm=\"" + REALM + "\"");
        }
        String body = answer.body() != null ? answer.body()
                : errorBody(answer.status() == 401 ? "unauthorized" : "forbidden", context.decisionId());
        return new Decision(context.decisionId(), DecisionCode.DENIED_BY_POLICY, false, answer.status(), answer.reasons(),
                headers, body, principal.subject());
    }

    private static Decision unauthenticated(CheckContext context, AuthenticationException cause) {
        var failure = cause.failure();
        String challenge = "Bearer realm=\"" + REALM + "\", error=\"" + failure.oauthError()
                + "\", error_description=\"" + failure.description() + "\"";
        int status = failure.oauthError().equals("invalid_request") ? 400 : 401;
        return new Decision(context.decisionId(), DecisionCode.AUTHENTICATION_FAILED, false, status,
                List.of("authn:" + failure.label()),
                Map.of("www-authenticate", challenge, DECISION_ID_HEADER, context.decisionId()),
                errorBody(failure.oauthError(), context.decisionId()), null);
    }

    private static String errorBody(String error, String decisionId) {
        return "{\"error\":\"" + error + "\",\"decision_id\":\"" + decisionId + "\"}";
    }

    private AuditEvent authnFailureEvent(CheckContext context, AuthenticationException cause) {
        Actor actor = new Actor(cause.claimedSubject(), null, null, context.sourceIp(), userAgent(context), null, null);
        return AuditEvent.builder(EventType.AUTHN_FAILURE, context.receivedAt())
                .id(context.decisionId())
                .actor(actor)
                .action(context.method())
                .resource(context.path())
                .outcome(Outcome.DENY)
                .reason("authn:" + cause.failure().label())
                .requestId(context.requestId())
                .attribute("protocol", context.protocol().label())
                .attribute("credential", cause.failure().concernsCertificate() ? "certificate" : "token")
                .build();
    }

    private AuditEvent decisionEvent(CheckContext context, Principal principal, Decision decision) {
        Actor actor = new Actor(principal.subject(), principal.clientId(), principal.spiffeId(), context.sourceIp(),
                userAgent(context), principal.tokenId(), principal.sessionId());
        Outcome outcome = decision.allow() ? Outcome.ALLOW
                : decision.code() == DecisionCode.POLICY_ERROR ? Outcome.ERROR : Outcome.DENY;
        List<String> methods = new ArrayList<>();
        for (AuthMethod method : principal.methods()) {
            methods.add(method.label());
        }
        return AuditEvent.builder(EventType.AUTHZ_DECISION, context.receivedAt())
                .id(context.decisionId())
                .actor(actor)
                .action(context.method())
                .resource(context.path())
                .outcome(outcome)
                .reason(String.join(",", decision.reasons()))
                .requestId(context.requestId())
                .attribute("protocol", context.protocol().label())
                .attribute("status", decision.status())
                .attribute("reasons", decision.reasons())
                .attribute("auth_methods", methods)
                .build();
    }

    private static String userAgent(CheckContext context) {
        return context.header("user-agent").map(ua -> ua.length() > 256 ? ua.substring(0, 256) : ua).orElse(null);
    }
}
