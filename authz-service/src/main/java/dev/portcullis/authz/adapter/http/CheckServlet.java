package dev.portcullis.authz.adapter.http;

import java.io.IOException;
import java.io.Serial;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.Protocol;

/**
 * {@code /v1/check} and {@code /v1/check/**}, any method: the check endpoint of nginx
 * {@code auth_request}, Traefik forwardAuth and Envoy's HTTP ext_authz. Translates, asks the
 * {@link Authorizer}, translates back: 200 with the upstream headers when allowed; the decision's
 * status, headers and JSON body when not.
 *
 * <p>Who may ask is decided here, first, by {@link CallerTrust} (loopback or a trusted proxy's
 * verified client certificate), as the gRPC adapter does: these endpoints bypass the Spring
 * Security filter chain, whose per-request cost was the largest share of a check's CPU
 * (docs/benchmarks.md). A refused caller gets an audited 403 before anything of its request is read.
 *
 * <p>Why a servlet of its own, mapped next to Spring's {@code DispatcherServlet} rather than a
 * controller behind it: the endpoint reads the raw request and writes the raw response, so MVC has
 * nothing to add, and finding the handler for a pattern mapping ({@code /**}) made MVC test every
 * mapping of the service on every check: MVC's dispatch was 7 % of the service's CPU at 5 000
 * checks/s, and without it a check costs 0.146-0.156 ms of CPU instead of 0.166-0.172 ms
 * (docs/benchmarks.md, authz runs 41 and 43). Every method is answered the same way:
 * {@link #service} is not split by method, so a proxy's original method reaches the policy.
 */
public final class CheckServlet extends HttpServlet {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The servlet mapping: the path mapping {@code /v1/check/*} also matches {@code /v1/check} itself. */
    public static final String MAPPING = HttpCheckContexts.PREFIX + "/*";

    private final transient HttpCheckContexts contexts;
    private final transient CallerTrust callers;
    private final transient Authorizer authorizer;
    private final transient DecisionIds ids;
    private final transient Clock clock;

    public CheckServlet(HttpCheckContexts contexts, CallerTrust callers, Authorizer authorizer, DecisionIds ids,
            Clock clock) {
        this.contexts = Objects.requireNonNull(contexts, "contexts cannot be null");
        this.callers = Objects.requireNonNull(callers, "callers cannot be null");
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer cannot be null");
        this.ids = Objects.requireNonNull(ids, "ids cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        check(request, response);
    }

    /** Answers one check (what {@link #service} does for every method). */
    public void check(HttpServletRequest request, HttpServletResponse response) throws IOException {
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
        } catch (RuntimeException e) {
            decision = authorizer.failUnexpectedly(decisionId, Protocol.ENVOY_HTTP, request.getRemoteAddr(), receivedAt, e);
        }
        HttpDecisionWriter.write(decision, response);
    }
}
