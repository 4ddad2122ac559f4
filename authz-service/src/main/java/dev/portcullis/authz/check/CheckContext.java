package dev.portcullis.authz.check;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to decide about, in the same shape whatever protocol it arrived on: what the
 * original request was (method, path, headers, source address), what the connection to Portcullis
 * proved (the TLS peer's certificate chain, whether the peer is on loopback), and any client
 * certificate a proxy forwarded. Adapters build it; nothing after them knows the wire format.
 *
 * @param decisionId the id of this decision: in the response, the logs and the audit event
 * @param protocol where the check came from
 * @param method the original request's method, upper-case
 * @param path the original request's path, without the query string
 * @param query the original request's query string, without '?', or empty
 * @param headers the original request's headers
 * @param sourceIp the original client's address as far as it can be trusted, or null
 * @param peerCertificates the verified-at-handshake certificate chain of the TLS peer that called
 *     Portcullis (a proxy, or a workload calling directly); empty without client authentication
 * @param peerOnLoopback whether the peer that called Portcullis is on this host
 * @param forwardedClientCertificate a client certificate that the caller says it received, in
 *     Envoy's {@code x-forwarded-client-cert} format (the gRPC adapter puts Envoy's
 *     {@code source.certificate} in that form); trusted only when the peer is a trusted proxy
 * @param requestId the request id the proxy sent (e.g. {@code x-request-id}), or null
 * @param receivedAt when Portcullis received the check
 */
public record CheckContext(
        String decisionId,
        Protocol protocol,
        String method,
        String path,
        String query,
        RequestHeaders headers,
        String sourceIp,
        List<X509Certificate> peerCertificates,
        boolean peerOnLoopback,
        String forwardedClientCertificate,
        String requestId,
        Instant receivedAt) {

    public CheckContext {
        Objects.requireNonNull(decisionId, "decisionId cannot be null");
        Objects.requireNonNull(protocol, "protocol cannot be null");
        Objects.requireNonNull(method, "method cannot be null");
        Objects.requireNonNull(path, "path cannot be null");
        query = query == null ? "" : query;
        headers = headers == null ? RequestHeaders.empty() : headers;
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
        Objects.requireNonNull(receivedAt, "receivedAt cannot be null");
    }

    public Optional<String> header(String name) {
        return headers.first(name);
    }

    public Optional<X509Certificate> peerCertificate() {
        return peerCertificates.isEmpty() ? Optional.empty() : Optional.of(peerCertificates.get(0));
    }
}
