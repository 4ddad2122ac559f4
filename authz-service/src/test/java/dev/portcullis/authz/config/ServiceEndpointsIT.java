package dev.portcullis.authz.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;

import com.sun.net.httpserver.HttpServer;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.Checker;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.testing.LocalStack;

/**
 * The service's own endpoints, secured with Spring Security: who may ask for decisions, the admin
 * API, the management port, and that nothing unmapped is served.
 *
 * <p>The tests can only reach the service from 127.0.0.1, and loopback callers may always ask. So
 * the "not on loopback" cases drive the running service's real security filter chain (the
 * {@code springSecurityFilterChain} bean of the started context, with its real CallerTrust and
 * identity pipeline) with a {@link MockHttpServletRequest} whose remote address is a documentation
 * address (198.51.100.7), with and without a client certificate. For the admin API the
 * {@link MockFilterChain} after it records whether the request would have reached the controller.
 * The check endpoints decide who may ask themselves, so those cases go on through the running
 * service's real servlet for the path (the check servlet, or Spring MVC's {@link DispatcherServlet}
 * for {@code /v1/decisions}) and look at the answer and the audit record.
 */
class ServiceEndpointsIT {

    private static final String PROXY_ID = "spiffe://portcullis.test/ns/mesh/sa/envoy";
    private static final String REMOTE = "198.51.100.7";

    private static AuthzService service;
    private static HttpServer crlServer;
    private static KeycloakRealm keycloak;
    private static X509Certificate proxy;
    private static X509Certificate workload;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        LocalStack stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-endpoints-it-");
        // A CA of the test's own for the proxy's certificate, its CRL served on 127.0.0.1.
        Instant now = Instant.now();
        TestCertificates.Authority ca = TestCertificates.Authority.create("Endpoints IT CA");
        proxy = ca.leaf().uris(PROXY_ID).validity(now.minusSeconds(3600), now.plus(Duration.ofDays(1))).issue().certificate();
        workload = ca.leaf().validity(now.minusSeconds(3600), now.plus(Duration.ofDays(1))).issue().certificate();
        X509CRL crl = ca.crl(now.minusSeconds(3600), now.plus(Duration.ofDays(1)));
        crlServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        crlServer.createContext("/crl", exchange -> {
            byte[] body;
            try {
                body = crl.getEncoded();
            } catch (java.security.cert.CRLException e) {
                throw new IOException(e);
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        crlServer.start();
        Path bundle = Files.writeString(work.resolve("bundle.pem"), TestCertificates.pem(ca.certificate()));
        service = AuthzService.builder(stack, work.resolve("service"))
                .property("portcullis.mtls.enabled", "true")
                .property("portcullis.mtls.trust-bundle", bundle)
                .property("portcullis.mtls.crl-url", "http://127.0.0.1:" + crlServer.getAddress().getPort() + "/crl")
                .property("portcullis.mtls.trust-domains", "portcullis.test")
                .property("portcullis.mtls.trusted-proxies", PROXY_ID)
                .start();
        keycloak = new KeycloakRealm(stack);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (crlServer != null) {
            crlServer.stop(0);
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    /** A check as it would arrive from {@code remote}, through the running service's security filter chain. */
    private static Exchange throughSecurity(String method, String uri, String remote, X509Certificate... peer) throws Exception {
        return throughSecurity(method, uri, remote, null, peer);
    }

    private static Exchange throughSecurity(String method, String uri, String remote, String token, X509Certificate... peer)
            throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(
                ((WebApplicationContext) service.context()).getServletContext(), method, uri);
        request.setRemoteAddr(remote);
        request.addHeader("X-Original-Method", "GET");
        request.addHeader("X-Original-URI", "/orders/1");
        if (token != null) {
            request.addHeader("Authorization", "Bearer " + token);
        }
        if (peer.length > 0) {
            request.setAttribute("jakarta.servlet.request.X509Certificate", peer);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain next = new MockFilterChain();
        service.context().getBean("springSecurityFilterChain", Filter.class).doFilter(request, response, next);
        return new Exchange(response, next.getRequest() != null);
    }

    private record Exchange(MockHttpServletResponse response, boolean reachedTheController) {
    }

    /**
     * A check as it would arrive from {@code remote}: through the running service's security filter
     * chain and then its dispatcher servlet, as Tomcat passes it on.
     */
    private static MockHttpServletResponse throughTheService(String method, String uri, String remote, String token,
            X509Certificate... peer) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(
                ((WebApplicationContext) service.context()).getServletContext(), method, uri);
        request.setRemoteAddr(remote);
        request.addHeader("X-Original-Method", "GET");
        request.addHeader("X-Original-URI", "/orders/1");
        if (token != null) {
            request.addHeader("Authorization", "Bearer " + token);
        }
        if (peer.length > 0) {
            request.setAttribute("jakarta.servlet.request.X509Certificate", peer);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        new MockFilterChain(servletFor(uri), service.context().getBean("springSecurityFilterChain", Filter.class))
                .doFilter(request, response);
        return response;
    }

    /** The servlet Tomcat maps {@code uri} to: the check servlet's ({@code /v1/check/*}), else Spring MVC's. */
    private static Servlet servletFor(String uri) {
        if (uri.equals("/v1/check") || uri.startsWith("/v1/check/")) {
            return service.context().getBean("checkServlet", ServletRegistrationBean.class).getServlet();
        }
        return service.context().getBean(DispatcherServlet.class);
    }

    private static AuditEvent auditedAnswer(MockHttpServletResponse response) {
        String decisionId = response.getHeader("x-portcullis-decision-id");
        assertThat(decisionId).as("the answer's decision id").isNotNull();
        return service.audit().event(decisionId);
    }

    @Test
    void checkEndpointsRefuseACallerThatIsNeitherOnLoopbackNorATrustedProxyAndAuditIt() throws Exception {
        // With alice's valid token: were the caller check missing, these would be answered (200).
        String alice = keycloak.accessToken("alice");
        for (String[] endpoint : new String[][] {{"GET", "/v1/check"}, {"POST", "/v1/check/orders/1"}, {"POST", "/v1/decisions"},
                {"GET", "/v1/decisions"}}) {
            MockHttpServletResponse response = throughTheService(endpoint[0], endpoint[1], REMOTE, alice);

            assertThat(response.getStatus()).as(endpoint[1]).isEqualTo(403);
            assertThat(response.getContentAsString()).as(endpoint[1]).contains("\"error\":\"caller_not_trusted\"");
            AuditEvent event = auditedAnswer(response);
            assertThat(event.type()).isEqualTo(EventType.AUTHZ_DECISION);
            assertThat(event.outcome()).isEqualTo(Outcome.DENY);
            assertThat(event.reason()).isEqualTo("caller_not_trusted");
            assertThat(event.actor().ip()).isEqualTo(REMOTE);
        }
    }

    @Test
    void checkEndpointsRefuseANonLoopbackCallerWhoseCertificateIsNotATrustedProxys() throws Exception {
        String alice = keycloak.accessToken("alice");
        for (String[] endpoint : new String[][] {{"GET", "/v1/check"}, {"POST", "/v1/decisions"}}) {
            MockHttpServletResponse response = throughTheService(endpoint[0], endpoint[1], REMOTE, alice, workload);

            assertThat(response.getStatus()).as(endpoint[1]).isEqualTo(403);
            assertThat(auditedAnswer(response).reason()).as(endpoint[1]).isEqualTo("caller_not_trusted");
        }
    }

    @Test
    void checkEndpointsServeANonLoopbackTrustedProxy() throws Exception {
        MockHttpServletResponse check = throughTheService("GET", "/v1/check", REMOTE, keycloak.accessToken("alice"), proxy);
        assertThat(check.getStatus()).isEqualTo(200);
        assertThat(check.getHeader("x-portcullis-subject")).isEqualTo("alice");
        assertThat(auditedAnswer(check).outcome()).isEqualTo(Outcome.ALLOW);

        // No body: the controller read the request and found it malformed (not a refused caller).
        // Answers of /v1/decisions carry their decision id in the JSON body.
        MockHttpServletResponse decisions = throughTheService("POST", "/v1/decisions", REMOTE, null, proxy);
        assertThat(decisions.getStatus()).isEqualTo(400);
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"decision_id\":\"([^\"]+)\"")
                .matcher(decisions.getContentAsString());
        assertThat(id.find()).as(decisions.getContentAsString()).isTrue();
        assertThat(service.audit().event(id.group(1)).reason()).isEqualTo("bad_check");
    }

    @Test
    void checkEndpointsServeLoopback() throws Exception {
        String alice = keycloak.accessToken("alice");
        for (String loopback : new String[] {"127.0.0.1", "::1"}) {
            MockHttpServletResponse response = throughTheService("GET", "/v1/check", loopback, alice);

            assertThat(response.getStatus()).as(loopback).isEqualTo(200);
            assertThat(auditedAnswer(response).outcome()).as(loopback).isEqualTo(Outcome.ALLOW);
        }
    }

    @Test
    void theCheckEndpointAnswersEveryMethodAProxyForwards() throws Exception {
        // Envoy's HTTP ext_authz sends the original request's method; each must reach the check
        // (not a servlet's 405) and be decided and audited as that method.
        String alice = keycloak.accessToken("alice");
        for (String method : new String[] {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(service.uri("/v1/check/orders/1"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + alice)
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

            String decisionId = response.headers().firstValue("x-portcullis-decision-id").orElse(null);
            assertThat(decisionId).as(method + ": the answer's decision id").isNotNull();
            AuditEvent event = service.audit().event(decisionId);
            assertThat(event.action()).as(method).isEqualTo(method);
            assertThat(event.resource()).as(method).isEqualTo("/orders/1");
            assertThat(response.statusCode()).as(method).isEqualTo(event.outcome() == Outcome.ALLOW ? 200 : 403);
        }
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void nothingUnmappedIsServed() throws Exception {
        for (String path : new String[] {"/", "/anything", "/actuator/health", "/actuator/env", "/v1", "/v1/checks"}) {
            HttpResponse<String> response = get(path, null);
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.body()).as(path).isEqualTo("{\"error\":\"unauthorized\"}");
        }
    }

    @Test
    void theAdminApiNeedsTheSecurityAdminRole() throws Exception {
        String path = "/v1/admin/keys";

        HttpResponse<String> anonymous = get(path, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).contains("Bearer realm=\"portcullis\"");

        Exchange alice = throughSecurity("GET", path, "127.0.0.1", keycloak.accessToken("alice"));
        assertThat(alice.reachedTheController()).isFalse();
        assertThat(alice.response().getStatus()).isEqualTo(403);
        assertThat(get(path, keycloak.accessToken("alice")).statusCode()).isEqualTo(403);

        // The rule lets a security admin through (what the controller then does is not this test's business).
        assertThat(throughSecurity("GET", path, "127.0.0.1", keycloak.accessToken("sec-admin")).reachedTheController()).isTrue();
        // ... and loopback is no privilege on the admin API.
        assertThat(throughSecurity("GET", path, "127.0.0.1").reachedTheController()).isFalse();
    }

    @Test
    void aBadTokenOnTheAdminApiIsRejectedAndAudited() throws Exception {
        String forged = keycloak.accessToken("sec-admin");
        // Shortened by whole 4-character groups: still well spelled, so it is the signature that fails.
        int signature = forged.length() - forged.lastIndexOf('.') - 1;
        forged = forged.substring(0, forged.length() - (signature % 4 + 8));
        long before = service.audit().size();

        HttpResponse<String> response = get("/v1/admin/it-no-such-endpoint", forged);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("error=\"invalid_token\""));
        AuditEvent event = service.audit().events().stream().skip(before)
                .filter(e -> e.type() == EventType.AUTHN_FAILURE).findFirst().orElseThrow();
        assertThat(event.reason()).isEqualTo("authn:bad_signature");
        assertThat(event.resource()).isEqualTo("/v1/admin/it-no-such-endpoint");
        assertThat(event.actor().subject()).isEqualTo("sec-admin");
    }

    @Test
    void theManagementPortServesHealthAndMetricsOnly() throws Exception {
        assertThat(new Checker(service).check(keycloak.accessToken("alice")).statusCode()).isEqualTo(200);

        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(service.managementUri("/actuator/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"opa\"").contains("\"jwks\"");
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(service.managementUri("/actuator/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("portcullis_authz_decisions_total{").contains("outcome=\"allow\"")
                .contains("portcullis_authz_decision_latency_seconds_bucket{")
                // Checks are timed by the decision metrics, not again by Spring's HTTP observation.
                .doesNotContain("uri=\"/v1/check");
        // Not exposed, so not an actuator endpoint: the API's deny-all answers it.
        HttpResponse<String> env = HTTP.send(HttpRequest.newBuilder(service.managementUri("/actuator/env")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(env.statusCode()).isEqualTo(401);
    }
}
