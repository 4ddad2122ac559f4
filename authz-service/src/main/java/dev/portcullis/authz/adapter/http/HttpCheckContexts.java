package dev.portcullis.authz.adapter.http;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.check.RequestHeaders;
import dev.portcullis.authz.identity.IdentityResolver;

/**
 * Translates a check arriving over HTTP on {@code /v1/check/**} into a {@link CheckContext}, for
 * the three proxies that call it:
 * <ul>
 *   <li>nginx {@code auth_request}: the original request in {@code X-Original-Method} and
 *       {@code X-Original-URI};
 *   <li>Traefik forwardAuth: in {@code X-Forwarded-Method} and {@code X-Forwarded-Uri};
 *   <li>Envoy HTTP ext_authz ({@code path_prefix: /v1/check}): the check request's own method,
 *       and its path after the prefix.
 * </ul>
 * Headers that say where the request came from are only believed from a trusted proxy or from
 * loopback; a check that carries the original-request headers of two proxies at once is ambiguous
 * (a client smuggling headers through a proxy that forwards them) and is rejected. Protocols not
 * enabled by configuration are rejected too.
 */
public final class HttpCheckContexts {

    static final String PREFIX = "/v1/check";
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");

    private final Set<Protocol> enabled;
    private final IdentityResolver identity;

    public HttpCheckContexts(Set<Protocol> enabled, IdentityResolver identity) {
        this.enabled = enabled.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(enabled));
        this.identity = Objects.requireNonNull(identity, "identity cannot be null");
    }

    /** @throws BadCheckException when the check does not say clearly what it is about */
    public CheckContext from(HttpServletRequest request, String decisionId, Instant receivedAt) throws BadCheckException {
        RequestHeaders headers = ServletRequests.headers(request);
        boolean nginx = headers.first("x-original-uri").isPresent() || headers.first("x-original-method").isPresent();
        boolean traefik = headers.first("x-forwarded-uri").isPresent() || headers.first("x-forwarded-method").isPresent();
        if (nginx && traefik) {
            throw new BadCheckException("the check carries both nginx (X-Original-*) and Traefik (X-Forwarded-Uri/Method)"
                    + " headers; refusing to guess which describes the request");
        }
        String uri = request.getRequestURI();
        if ((nginx || traefik) && !(uri.equals(PREFIX) || uri.equals(PREFIX + "/"))) {
            // nginx and Traefik call /v1/check itself; a path after it is how Envoy describes the
            // request. Both at once is a client's header passed through Envoy (allowed_headers).
            throw new BadCheckException("the check carries " + (nginx ? "nginx (X-Original-*)" : "Traefik (X-Forwarded-Uri/Method)")
                    + " headers but asks about a path after " + PREFIX + ", as Envoy does; refusing to guess which describes"
                    + " the request");
        }
        Protocol protocol = nginx ? Protocol.NGINX : traefik ? Protocol.TRAEFIK : Protocol.ENVOY_HTTP;
        if (!enabled.contains(protocol)) {
            throw new BadCheckException("the " + protocol.label() + " protocol is not enabled on this service");
        }
        String method;
        RequestTarget target;
        switch (protocol) {
            case NGINX -> {
                method = required(headers, "x-original-method");
                target = RequestTarget.parse(required(headers, "x-original-uri"), "the X-Original-URI header");
            }
            case TRAEFIK -> {
                method = required(headers, "x-forwarded-method");
                target = RequestTarget.parse(required(headers, "x-forwarded-uri"), "the X-Forwarded-Uri header");
            }
            default -> {
                method = request.getMethod();
                String path = uri.length() > PREFIX.length() ? uri.substring(PREFIX.length()) : "/";
                target = RequestTarget.parse(request.getQueryString() == null ? path : path + "?" + request.getQueryString(),
                        "the path after " + PREFIX);
            }
        }
        method = method.toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(method).matches()) {
            throw new BadCheckException("the original method is not an HTTP method");
        }
        List<X509Certificate> peer = ServletRequests.peerCertificates(request);
        boolean loopback = ServletRequests.isLoopback(request.getRemoteAddr());
        boolean trustedPeer = loopback || identity.isTrustedProxy(peer);
        String sourceIp = trustedPeer ? forwardedSource(protocol, headers).orElse(request.getRemoteAddr()) : request.getRemoteAddr();
        String requestId = headers.first("x-request-id").filter(id -> REQUEST_ID.matcher(id).matches()).orElse(null);
        return new CheckContext(decisionId, protocol, method, target.path(), target.query(), headers, sourceIp, peer, loopback,
                headers.first("x-forwarded-client-cert").orElse(null), requestId, receivedAt);
    }

    private static java.util.Optional<String> forwardedSource(Protocol protocol, RequestHeaders headers) {
        java.util.Optional<String> realIp = headers.first("x-real-ip");
        if (protocol == Protocol.NGINX && realIp.isPresent()) {
            return realIp.map(String::trim);
        }
        // The last X-Forwarded-For entry was added by the proxy that called us, the one we trust.
        List<String> all = headers.all("x-forwarded-for");
        if (!all.isEmpty()) {
            String joined = String.join(",", all);
            String[] hops = joined.split(",");
            if (hops.length == 0) {
                return java.util.Optional.empty(); // nothing but commas: no address at all
            }
            return java.util.Optional.of(hops[hops.length - 1].trim()).filter(s -> !s.isEmpty());
        }
        return realIp;
    }

    private static String required(RequestHeaders headers, String name) throws BadCheckException {
        return headers.first(name).filter(v -> !v.isBlank())
                .orElseThrow(() -> new BadCheckException("the check lacks the " + name + " header"));
    }
}
