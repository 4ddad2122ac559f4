package dev.portcullis.authz.adapter.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.EnabledProtocols;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.check.RequestHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/decisions}: a decision for an explicit request description, JSON in and out.
 *
 * <p>In: {@code {"method", "path", "query"?, "headers"?: {name: value}, "token"?, "source_ip"?,
 * "client_certificate"?: PEM, "request_id"?}}. Out: {@code {"decision_id", "allow", "status",
 * "code", "reasons", "headers", "subject"}}, with HTTP 200 whenever a decision was reached (allow
 * or deny), 503 when none could be (policy engine or audit log down: {@code allow} is false), 400
 * for a malformed request.
 *
 * <p>Who may ask is decided here, first, by {@link CallerTrust} (see {@link CheckServlet}): a
 * refused caller gets an audited 403 with the error body, before its request body is read.
 */
@RestController
public final class DecisionsController {

    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

    private final EnabledProtocols enabled;
    private final CallerTrust callers;
    private final Authorizer authorizer;
    private final DecisionIds ids;
    private final Clock clock;
    private final JsonMapper json;

    public DecisionsController(EnabledProtocols enabled, CallerTrust callers, Authorizer authorizer, DecisionIds ids,
            Clock clock, JsonMapper json) {
        this.enabled = Objects.requireNonNull(enabled, "enabled cannot be null");
        this.callers = Objects.requireNonNull(callers, "callers cannot be null");
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer cannot be null");
        this.ids = Objects.requireNonNull(ids, "ids cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
    }

    @PostMapping(path = "/v1/decisions", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<?> decide(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        String decisionId = ids.next();
        Instant receivedAt = clock.instant();
        Decision decision;
        ResponseSecurityHeaders.write(request, response);
        if (!ServletRequests.mayAsk(callers, request)) {
            decision = authorizer.refuseCaller(decisionId, Protocol.DECISION_API, request.getRemoteAddr(), receivedAt,
                    ServletRequests.NOT_TRUSTED);
            ResponseEntity.BodyBuilder refused = ResponseEntity.status(decision.status()).header("Cache-Control", "no-store");
            decision.headers().forEach((name, value) -> refused.header(name, value));
            return refused.body(decision.body());
        }
        try {
            CheckContext context = context(request, decisionId, receivedAt);
            decision = authorizer.check(context);
        } catch (BadCheckException e) {
            decision = authorizer.refuseMalformed(decisionId, Protocol.DECISION_API, request.getRemoteAddr(), receivedAt,
                    e.getMessage());
        } catch (RuntimeException e) {
            decision = authorizer.failUnexpectedly(decisionId, Protocol.DECISION_API, request.getRemoteAddr(), receivedAt, e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("decision_id", decision.decisionId());
        body.put("allow", decision.allow());
        body.put("status", decision.status());
        body.put("code", decision.code().label());
        body.put("reasons", decision.reasons());
        body.put("headers", decision.headers());
        body.put("subject", decision.subject());
        int httpStatus = switch (decision.code()) {
            case POLICY_ERROR, AUDIT_ERROR -> 503;
            case BAD_CHECK -> 400;
            case INTERNAL_ERROR -> 500;
            default -> 200;
        };
        return ResponseEntity.status(httpStatus).header("Cache-Control", "no-store").body(body);
    }

    private CheckContext context(HttpServletRequest request, String decisionId, Instant receivedAt) throws BadCheckException,
            java.io.IOException {
        if (!enabled.contains(Protocol.DECISION_API)) {
            throw new BadCheckException("the " + Protocol.DECISION_API.label() + " protocol is not enabled on this service");
        }
        byte[] raw = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (raw.length > MAX_BODY_BYTES) {
            throw new BadCheckException("the request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = json.readTree(raw);
        } catch (JacksonException e) {
            throw new BadCheckException("the request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadCheckException("the request body must be a JSON object");
        }
        String method = text(root, "method", true).toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(method).matches()) {
            throw new BadCheckException("'method' must be an HTTP method");
        }
        String path = text(root, "path", true);
        if (!path.startsWith("/")) {
            throw new BadCheckException("'path' must start with '/'");
        }
        RequestTarget target = RequestTarget.parse(path, "'path'");
        if (target.query() != null) {
            throw new BadCheckException("'path' has a query; give it as 'query'");
        }
        RequestHeaders.Builder headers = RequestHeaders.builder();
        JsonNode headerNode = root.get("headers");
        if (headerNode != null && !headerNode.isNull()) {
            if (!headerNode.isObject()) {
                throw new BadCheckException("'headers' must be an object of strings");
            }
            for (Map.Entry<String, JsonNode> e : headerNode.properties()) {
                if (!e.getValue().isString()) {
                    throw new BadCheckException("header '" + e.getKey() + "' must be a string");
                }
                headers.add(e.getKey(), e.getValue().stringValue());
            }
        }
        String token = text(root, "token", false);
        if (token != null) {
            headers.add("authorization", "Bearer " + token);
        }
        String certificate = text(root, "client_certificate", false);
        String forwarded = certificate == null ? null
                : "Cert=\"" + URLEncoder.encode(certificate, StandardCharsets.UTF_8) + "\"";
        String sourceIp = text(root, "source_ip", false);
        RequestHeaders built = headers.build();
        String requestId = text(root, "request_id", false);
        return new CheckContext(decisionId, Protocol.DECISION_API, method, target.path(), text(root, "query", false), built,
                sourceIp != null ? sourceIp : request.getRemoteAddr(), ServletRequests.peerCertificates(request),
                ServletRequests.isLoopback(request.getRemoteAddr()), forwarded,
                requestId != null && REQUEST_ID.matcher(requestId).matches() ? requestId : null, receivedAt);
    }

    private static String text(JsonNode root, String name, boolean required) throws BadCheckException {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw new BadCheckException("'" + name + "' is required");
            }
            return null;
        }
        if (!node.isString()) {
            throw new BadCheckException("'" + name + "' must be a string");
        }
        return node.stringValue();
    }
}
