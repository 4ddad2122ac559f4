package dev.portcullis.authz.adapter.http;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.Protocol;

/**
 * {@code /v1/check/**}, any method: the check endpoint of nginx {@code auth_request}, Traefik
 * forwardAuth and Envoy's HTTP ext_authz. Translates, asks the {@link Authorizer}, translates back:
 * 200 with the upstream headers when allowed; the decision's status, headers and JSON body when not.
 *
 * <p>Who may ask is decided here, first, by {@link CallerTrust} (loopback or a trusted proxy's
 * verified client certificate), as the gRPC adapter does: these endpoints bypass the Spring
 * Security filter chain, whose per-request cost was the largest share of a check's CPU
 * (docs/benchmarks.md). A refused caller gets an audited 403 before anything of its request is read.
 */
@RestController
public final class CheckController {

    private final HttpCheckContexts contexts;
    private final CallerTrust callers;
    private final Authorizer authorizer;
    private final DecisionIds ids;
    private final Clock clock;

    public CheckController(HttpCheckContexts contexts, CallerTrust callers, Authorizer authorizer, DecisionIds ids,
            Clock clock) {
        this.contexts = Objects.requireNonNull(contexts, "contexts cannot be null");
        this.callers = Objects.requireNonNull(callers, "callers cannot be null");
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer cannot be null");
        this.ids = Objects.requireNonNull(ids, "ids cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    @RequestMapping({HttpCheckContexts.PREFIX, HttpCheckContexts.PREFIX + "/**"})
    public void check(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        String decisionId = ids.next();
        Instant receivedAt = clock.instant();
        Decision decision;
        ResponseSecurityHeaders.write(request, response);
        if (!ServletRequests.mayAsk(callers, request)) {
            decision = authorizer.refuseCaller(decisionId, Protocol.ENVOY_HTTP, request.getRemoteAddr(), receivedAt,
                    ServletRequests.NOT_TRUSTED);
            HttpDecisionWriter.write(decision, response);
            return;
        }
        try {
            CheckContext context = contexts.from(request, decisionId, receivedAt);
            decision = authorizer.check(context);
        } catch (BadCheckException e) {
            decision = authorizer.refuseMalformed(decisionId, Protocol.ENVOY_HTTP, request.getRemoteAddr(), receivedAt,
                    e.getMessage());
        }
        HttpDecisionWriter.write(decision, response);
    }
}
