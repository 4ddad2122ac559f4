package dev.portcullis.authz.adapter.grpc;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;

import dev.portcullis.authz.adapter.http.BadCheckException;
import dev.portcullis.authz.adapter.http.RequestTarget;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.check.RequestHeaders;

/**
 * Translates Envoy's ext_authz {@code CheckRequest} (v3) into a {@link CheckContext}: the original
 * request from {@code attributes.request.http}, the client address from
 * {@code attributes.source.address}, and the downstream client certificate Envoy verified from
 * {@code attributes.source.certificate} (URL-encoded PEM, put in {@code x-forwarded-client-cert}
 * form; believed only when Envoy itself is a trusted proxy).
 */
final class EnvoyCheckContexts {

    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");

    private EnvoyCheckContexts() {
    }

    static CheckContext from(CheckRequest check, String decisionId, Instant receivedAt, List<X509Certificate> peer,
            boolean peerOnLoopback) throws BadCheckException {
        if (!check.hasAttributes() || !check.getAttributes().hasRequest() || !check.getAttributes().getRequest().hasHttp()) {
            throw new BadCheckException("the CheckRequest has no attributes.request.http");
        }
        AttributeContext attributes = check.getAttributes();
        AttributeContext.HttpRequest http = attributes.getRequest().getHttp();
        String method = http.getMethod().toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(method).matches()) {
            throw new BadCheckException("attributes.request.http.method is not an HTTP method");
        }
        RequestTarget target = RequestTarget.parse(http.getPath(), "attributes.request.http.path");
        RequestHeaders.Builder headers = RequestHeaders.builder();
        for (Map.Entry<String, String> e : http.getHeadersMap().entrySet()) {
            headers.add(e.getKey(), e.getValue());
        }
        if (http.hasHeaderMap()) {
            for (HeaderValue value : http.getHeaderMap().getHeadersList()) {
                headers.add(value.getKey(), value.getRawValue().isEmpty() ? value.getValue()
                        : value.getRawValue().toStringUtf8());
            }
        }
        RequestHeaders built = headers.build();
        String sourceIp = attributes.hasSource() && attributes.getSource().hasAddress()
                && attributes.getSource().getAddress().hasSocketAddress()
                ? attributes.getSource().getAddress().getSocketAddress().getAddress() : null;
        String certificate = attributes.hasSource() ? attributes.getSource().getCertificate() : "";
        String forwarded = certificate.isEmpty() ? built.first("x-forwarded-client-cert").orElse(null)
                : "Cert=\"" + certificate + "\"";
        String requestId = !http.getId().isEmpty() ? http.getId() : built.first("x-request-id").orElse(null);
        if (requestId != null && !REQUEST_ID.matcher(requestId).matches()) {
            requestId = null;
        }
        return new CheckContext(decisionId, Protocol.ENVOY_GRPC, method, target.path(), target.query(), built,
                sourceIp == null || sourceIp.isEmpty() ? null : sourceIp, peer, peerOnLoopback, forwarded,
                requestId, receivedAt);
    }
}
