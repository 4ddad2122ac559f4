package dev.portcullis.authz.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.IdentityResolver;
import dev.portcullis.authz.identity.mtls.PkixClientCertificateVerifier;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.authz.testing.TestCertificates.Authority;

/**
 * How a check arriving on {@code /v1/check/**} is read, per proxy: nginx {@code auth_request},
 * Traefik forwardAuth and Envoy's HTTP ext_authz; ambiguous or disabled protocols are refused, and
 * forwarded client addresses are believed only from loopback or a trusted proxy.
 */
class HttpCheckContextsTest {

    private static final String PROXY_ID = "spiffe://portcullis.test/ns/mesh/sa/envoy";
    private static final Instant NOW = TestCertificates.NOW;
    private static Authority ca;
    private static X509Certificate proxy;
    private static X509Certificate workload;
    private static X509CRL crl;

    private final HttpCheckContexts all = contexts(EnumSet.allOf(Protocol.class));

    @BeforeAll
    static void certificates() {
        ca = Authority.create("HttpCheckContexts test CA");
        proxy = ca.leaf().uris(PROXY_ID).issue().certificate();
        workload = ca.leaf().issue().certificate();
        crl = ca.crl();
    }

    private static HttpCheckContexts contexts(Set<Protocol> enabled) {
        IdentityResolver identity = new IdentityResolver(token -> {
            throw new AuthenticationException(dev.portcullis.authz.identity.AuthenticationFailure.BAD_SIGNATURE, "unused");
        }, new PkixClientCertificateVerifier(List.of(ca.certificate()), () -> List.of(crl), Set.of("portcullis.test"),
                Clock.fixed(NOW, ZoneOffset.UTC)), Set.of(PROXY_ID));
        return new HttpCheckContexts(enabled, identity);
    }

    private static MockHttpServletRequest nginx(String method, String uri) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/check");
        request.setRemoteAddr("127.0.0.1");
        request.addHeader("X-Original-Method", method);
        request.addHeader("X-Original-URI", uri);
        return request;
    }

    private static MockHttpServletRequest traefik(String method, String uri) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/check");
        request.setRemoteAddr("127.0.0.1");
        request.addHeader("X-Forwarded-Method", method);
        request.addHeader("X-Forwarded-Uri", uri);
        return request;
    }

    private CheckContext read(MockHttpServletRequest request) throws BadCheckException {
        return all.from(request, "01DECISION", NOW);
    }

    @Test
    void fromWhenNginxThenTheOriginalMethodPathAndQuery() throws BadCheckException {
        MockHttpServletRequest request = nginx("get", "/orders/1?expand=items&x=%2F");
        request.addHeader("Authorization", "Bearer t");
        request.addHeader("X-Request-Id", "req-42");

        CheckContext context = read(request);

        assertThat(context.protocol()).isEqualTo(Protocol.NGINX);
        assertThat(context.method()).isEqualTo("GET");
        assertThat(context.path()).isEqualTo("/orders/1");
        assertThat(context.query()).isEqualTo("expand=items&x=%2F");
        assertThat(context.header("authorization")).contains("Bearer t");
        assertThat(context.requestId()).isEqualTo("req-42");
        assertThat(context.decisionId()).isEqualTo("01DECISION");
        assertThat(context.receivedAt()).isEqualTo(NOW);
        assertThat(context.peerOnLoopback()).isTrue();
    }

    @Test
    void fromWhenTraefikThenTheForwardedMethodAndUri() throws BadCheckException {
        CheckContext context = read(traefik("DELETE", "/orders/7?force=true"));

        assertThat(context.protocol()).isEqualTo(Protocol.TRAEFIK);
        assertThat(context.method()).isEqualTo("DELETE");
        assertThat(context.path()).isEqualTo("/orders/7");
        assertThat(context.query()).isEqualTo("force=true");
    }

    @Test
    void fromWhenEnvoyHttpThenTheCheckRequestsOwnMethodAndThePathAfterThePrefix() throws BadCheckException {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/check/orders/1");
        request.setQueryString("expand=items");
        request.setRemoteAddr("127.0.0.1");

        CheckContext context = read(request);

        assertThat(context.protocol()).isEqualTo(Protocol.ENVOY_HTTP);
        assertThat(context.method()).isEqualTo("POST");
        assertThat(context.path()).isEqualTo("/orders/1");
        assertThat(context.query()).isEqualTo("expand=items");
    }

    @Test
    void fromWhenEnvoyHttpOnThePrefixItselfThenTheRootPath() throws BadCheckException {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/check");
        request.setRemoteAddr("127.0.0.1");

        assertThat(read(request).path()).isEqualTo("/");
    }

    @Test
    void fromWhenBothNginxAndTraefikHeadersThenRefusedAsAmbiguous() {
        MockHttpServletRequest request = nginx("GET", "/orders/1");
        request.addHeader("X-Forwarded-Uri", "/admin/keys");

        assertThatThrownBy(() -> read(request)).isInstanceOf(BadCheckException.class).hasMessageContaining("both nginx");
    }

    @Test
    void fromWhenNginxOrTraefikHeadersComeOnAnEnvoyStylePathThenRefusedAsAmbiguous() {
        // A client's X-Original-URI passed through by Envoy's HTTP ext_authz (allowed_headers) must
        // not replace the path Envoy asked about.
        for (MockHttpServletRequest request : List.of(nginx("GET", "/admin/keys"), traefik("GET", "/admin/keys"))) {
            request.setRequestURI("/v1/check/orders/1");

            assertThatThrownBy(() -> read(request)).isInstanceOf(BadCheckException.class)
                    .hasMessageContaining("path after /v1/check");
        }
    }

    @Test
    void fromWhenTheProtocolIsNotEnabledThenRefused() {
        HttpCheckContexts nginxOnly = contexts(Set.of(Protocol.NGINX));

        assertThatThrownBy(() -> nginxOnly.from(traefik("GET", "/orders/1"), "01D", NOW))
                .isInstanceOf(BadCheckException.class).hasMessageContaining("traefik protocol is not enabled");
        MockHttpServletRequest envoy = new MockHttpServletRequest("GET", "/v1/check/orders/1");
        assertThatThrownBy(() -> nginxOnly.from(envoy, "01D", NOW))
                .isInstanceOf(BadCheckException.class).hasMessageContaining("envoy-http protocol is not enabled");
    }

    @Test
    void fromWhenNoProtocolIsEnabledThenEverythingIsRefused() {
        assertThatThrownBy(() -> contexts(Set.of()).from(nginx("GET", "/orders/1"), "01D", NOW))
                .isInstanceOf(BadCheckException.class);
    }

    @Test
    void fromWhenNginxLacksTheOriginalUriOrMethodThenRefused() {
        MockHttpServletRequest noUri = new MockHttpServletRequest("GET", "/v1/check");
        noUri.addHeader("X-Original-Method", "GET");
        assertThatThrownBy(() -> read(noUri)).isInstanceOf(BadCheckException.class).hasMessageContaining("x-original-uri");

        MockHttpServletRequest blankMethod = nginx(" ", "/orders/1");
        assertThatThrownBy(() -> read(blankMethod)).isInstanceOf(BadCheckException.class);
    }

    @Test
    void fromWhenTheOriginalMethodIsNotAMethodThenRefused() {
        for (String method : List.of("GET /", "G3T", "GET\r\nX-Injected: 1", "TOOLONGMETHODNAMEXX")) {
            assertThatThrownBy(() -> read(nginx(method, "/orders/1"))).as(method).isInstanceOf(BadCheckException.class);
        }
    }

    @Test
    void fromWhenTheOriginalUriDoesNotParseThenRefused() {
        assertThatThrownBy(() -> read(nginx("GET", "/orders/1 2"))).isInstanceOf(BadCheckException.class);
    }

    @Test
    void fromWhenTheOriginalUriIsRelativeThenItIsRootedNotGuessed() throws BadCheckException {
        assertThat(read(nginx("GET", "orders/1")).path()).isEqualTo("/orders/1");
    }

    @Test
    void fromWhenRealIpComesFromLoopbackThenItIsTheSource() throws BadCheckException {
        MockHttpServletRequest request = nginx("GET", "/orders/1");
        request.addHeader("X-Real-IP", "203.0.113.7");

        assertThat(read(request).sourceIp()).isEqualTo("203.0.113.7");
    }

    @Test
    void fromWhenForwardedForComesFromLoopbackThenTheLastHopIsTheSource() throws BadCheckException {
        MockHttpServletRequest request = traefik("GET", "/orders/1");
        request.addHeader("X-Forwarded-For", "10.9.9.9, 198.51.100.1");
        request.addHeader("X-Forwarded-For", "203.0.113.7");

        assertThat(read(request).sourceIp()).isEqualTo("203.0.113.7");
    }

    @Test
    void fromWhenForwardedAddressesComeFromAnUntrustedPeerThenThePeersOwnAddress() throws BadCheckException {
        MockHttpServletRequest request = nginx("GET", "/orders/1");
        request.setRemoteAddr("198.51.100.20");
        request.addHeader("X-Real-IP", "10.0.0.1");
        request.addHeader("X-Forwarded-For", "10.0.0.1");

        CheckContext context = read(request);

        assertThat(context.sourceIp()).isEqualTo("198.51.100.20");
        assertThat(context.peerOnLoopback()).isFalse();
    }

    @Test
    void fromWhenForwardedAddressesComeFromAPeerWithANonProxyCertificateThenThePeersOwnAddress() throws BadCheckException {
        MockHttpServletRequest request = nginx("GET", "/orders/1");
        request.setRemoteAddr("198.51.100.20");
        request.setAttribute("jakarta.servlet.request.X509Certificate", new X509Certificate[] {workload});
        request.addHeader("X-Real-IP", "10.0.0.1");

        assertThat(read(request).sourceIp()).isEqualTo("198.51.100.20");
    }

    @Test
    void fromWhenForwardedAddressesComeFromATrustedProxyThenTheyAreBelieved() throws BadCheckException {
        MockHttpServletRequest request = traefik("GET", "/orders/1");
        request.setRemoteAddr("198.51.100.20");
        request.setAttribute("jakarta.servlet.request.X509Certificate", new X509Certificate[] {proxy});
        request.addHeader("X-Forwarded-For", "203.0.113.7");

        CheckContext context = read(request);

        assertThat(context.sourceIp()).isEqualTo("203.0.113.7");
        assertThat(context.peerCertificates()).containsExactly(proxy);
    }

    @Test
    void fromWhenAForwardedClientCertificateHeaderIsSentThenItIsCarriedForTheIdentityToJudge() throws BadCheckException {
        MockHttpServletRequest request = nginx("GET", "/orders/1");
        request.addHeader("X-Forwarded-Client-Cert", "Cert=\"abc\"");

        assertThat(read(request).forwardedClientCertificate()).isEqualTo("Cert=\"abc\"");
    }

    @Test
    void fromWhenTheRequestIdIsNotAPlainTokenThenItIsDropped() throws BadCheckException {
        MockHttpServletRequest spaced = nginx("GET", "/orders/1");
        spaced.addHeader("X-Request-Id", "id with spaces");
        assertThat(read(spaced).requestId()).isNull();

        MockHttpServletRequest huge = nginx("GET", "/orders/1");
        huge.addHeader("X-Request-Id", "a".repeat(129));
        assertThat(read(huge).requestId()).isNull();
    }
}
