package dev.portcullis.authz.adapter.http;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.Protocol;

/**
 * {@code /v1/check/**}, any method: the check endpoint of nginx {@code auth_request}, Traefik
 * forwardAuth and Envoy's HTTP ext_authz. Translates, asks the {@link Authorizer}, translates back:
 * 200 with the upstream headers when allowed; the decision's status, headers and JSON body when not.
 */
@RestController
public final class CheckController {

    private final HttpCheckContexts contexts;
    private final Authorizer authorizer;
    private final DecisionIds ids;
    private final Clock clock;

    public CheckController(HttpCheckContexts contexts, Authorizer authorizer, DecisionIds ids, Clock clock) {
        this.contexts = Objects.requireNonNull(contexts, "contexts cannot be null");
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer cannot be null");
        this.ids = Objects.requireNonNull(ids, "ids cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    @RequestMapping({HttpCheckContexts.PREFIX, HttpCheckContexts.PREFIX + "/**"})
    public void check(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        String decisionId = ids.next();
        Instant receivedAt = clock.instant();
        Decision decision;
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
