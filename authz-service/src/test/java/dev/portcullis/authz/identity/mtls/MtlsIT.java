package dev.portcullis.authz.identity.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.adapter.http.SessionCachingJsseImplementation;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.Checker;
import dev.portcullis.authz.testing.OpenBaoPki;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.authz.testing.TlsClients;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Workload certificates issued by the stack's real OpenBao PKI ({@code pki/issue/portcullis-workload})
 * against the service's HTTPS listener with client authentication wanted, the PKI's root as the
 * trust bundle, and revocation from the PKI's real CRL ({@code /v1/pki/crl}, refreshed every
 * second here): valid, an allowed domain but not on the route's allow-list, a foreign trust domain,
 * revoked, expired, from another CA, and certificates forwarded in {@code x-forwarded-client-cert}
 * by an untrusted peer and by a configured trusted proxy.
 */
class MtlsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CHECKOUT = "spiffe://portcullis.test/ns/shop/sa/checkout";
    private static final String REPORTS = "spiffe://portcullis.test/ns/shop/sa/reports";
    private static final String PROXY = "spiffe://portcullis.test/ns/mesh/sa/envoy";
    private static final String FOREIGN = "spiffe://elsewhere.test/ns/shop/sa/checkout";

    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String FOREIGN_ROLE = "it-foreign-domain-" + SUFFIX;
    private static final String ROGUE_MOUNT = "pki-it-rogue-" + SUFFIX;

    private static OpenBaoPki pki;
    private static AuthzService service;
    private static List<X509Certificate> serverCa;
    private static OpenBaoPki.Issued checkout;
    private static OpenBaoPki.Issued proxy;
    private static boolean rogueMounted;

    @BeforeAll
    static void start() throws IOException {
        LocalStack stack = LocalStack.require();
        Path work = Files.createTempDirectory("portcullis-mtls-it-");
        pki = new OpenBaoPki(stack);
        String caPem = pki.caPem("pki");
        serverCa = OpenBaoPki.certificates(caPem);
        Path ca = Files.writeString(work.resolve("ca.pem"), caPem + "\n");
        OpenBaoPki.Issued server = pki.issue("pki", "portcullis-service", "localhost",
                Map.of("alt_names", "localhost", "ip_sans", "127.0.0.1", "ttl", "1h"));
        Path certificate = Files.writeString(work.resolve("service.pem"), server.certificatePem() + "\n" + server.issuingCaPem() + "\n");
        Path key = Files.writeString(work.resolve("service-key.pem"), server.privateKeyPem() + "\n");
        service = AuthzService.builder(stack, work.resolve("service"))
                .https(certificate, key, ca)
                .property("portcullis.mtls.enabled", "true")
                .property("portcullis.mtls.trust-bundle", ca)
                .property("portcullis.mtls.crl-url", pki.crlUri("pki"))
                .property("portcullis.mtls.crl-refresh", "1s")
                .property("portcullis.mtls.trust-domains", "portcullis.test")
                .property("portcullis.mtls.trusted-proxies", PROXY)
                .start();
        checkout = workload(CHECKOUT, "1h");
        proxy = workload(PROXY, "1h");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (pki != null) {
            try {
                pki.delete("pki/roles/" + FOREIGN_ROLE);
                if (rogueMounted) {
                    pki.disableMount(ROGUE_MOUNT);
                }
            } finally {
                pki.close();
            }
        }
    }

    private static OpenBaoPki.Issued workload(String spiffeId, String ttl) {
        return pki.issue("pki", "portcullis-workload", "workload", Map.of("uri_sans", spiffeId, "ttl", ttl));
    }

    private static HttpClient presenting(OpenBaoPki.Issued issued) {
        return TlsClients.presenting(serverCa, issued.privateKey(), List.of(issued.certificate()));
    }

    /** {@code POST /v1/decisions} about {@code GET /orders/1}; the decision document. */
    private static JsonNode decide(HttpClient client) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(service.uri("/v1/decisions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"method\":\"GET\",\"path\":\"/orders/1\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** A check of {@code GET /orders/1} as Envoy's HTTP ext_authz sends it, with a forwarded certificate. */
    private static HttpResponse<String> checkForwarding(HttpClient client, String forwardedCertificate) {
        return send(client, HttpRequest.newBuilder(service.uri("/v1/check/orders/1"))
                .header("X-Forwarded-Client-Cert", forwardedCertificate));
    }

    /** The same check as nginx's auth_request sends it, which passes the client's headers on. */
    private static HttpResponse<String> checkForwardingThroughNginx(HttpClient client, String forwardedCertificate) {
        return send(client, HttpRequest.newBuilder(service.uri("/v1/check"))
                .header("X-Original-Method", "GET").header("X-Original-URI", "/orders/1")
                .header("X-Forwarded-Client-Cert", forwardedCertificate));
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static AuditEvent authnFailure(String decisionId, String reason) {
        AuditEvent event = service.audit().event(decisionId);
        assertThat(event.type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.reason()).isEqualTo("authn:" + reason);
        assertThat(event.attributes()).containsEntry("credential", "certificate");
        return event;
    }

    @Test
    void aValidWorkloadCertificateWhoseSpiffeIdTheRouteListsIsAllowed() throws Exception {
        JsonNode decision = decide(presenting(checkout));

        assertThat(decision.get("allow").booleanValue()).isTrue();
        assertThat(decision.get("status").intValue()).isEqualTo(200);
        assertThat(decision.get("reasons").get(0).stringValue()).isEqualTo("spiffe:" + CHECKOUT);
        assertThat(decision.at("/headers/x-portcullis-subject").stringValue()).isEqualTo(CHECKOUT);
        AuditEvent event = service.audit().event(decision.get("decision_id").stringValue());
        assertThat(event.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(event.actor().spiffeId()).isEqualTo(CHECKOUT);
        assertThat(event.attributes()).containsEntry("auth_methods", List.of("mtls"));
    }

    @Test
    void theSameCertificateOnTheCheckEndpointIsAllowedWithItsSubjectForTheUpstream() {
        HttpResponse<String> response = new Checker(service, presenting(checkout)).check(null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-portcullis-subject")).contains(CHECKOUT);
    }

    @Test
    void aWorkloadOfTheTrustDomainThatTheRouteDoesNotListIsForbiddenByThePolicy() throws Exception {
        JsonNode decision = decide(presenting(workload(REPORTS, "1h")));

        assertThat(decision.get("allow").booleanValue()).isFalse();
        assertThat(decision.get("status").intValue()).isEqualTo(403);
        assertThat(decision.get("code").stringValue()).isEqualTo("denied_by_policy");
        assertThat(JSON.writeValueAsString(decision.get("reasons"))).contains("spiffe_id_not_allowed");
        assertThat(service.audit().event(decision.get("decision_id").stringValue()).actor().spiffeId()).isEqualTo(REPORTS);
    }

    @Test
    void aWorkloadOfAForeignTrustDomainIsRejected() throws Exception {
        pki.write("pki/roles/" + FOREIGN_ROLE, Map.of("allow_any_name", true, "enforce_hostnames", false,
                "allowed_uri_sans", "spiffe://elsewhere.test/*", "server_flag", false, "client_flag", true,
                "key_type", "ec", "key_bits", 256, "max_ttl", "1h"));
        OpenBaoPki.Issued foreign = pki.issue("pki", FOREIGN_ROLE, "workload", Map.of("uri_sans", FOREIGN, "ttl", "1h"));

        JsonNode decision = decide(presenting(foreign));

        assertThat(decision.get("status").intValue()).isEqualTo(401);
        assertThat(decision.get("code").stringValue()).isEqualTo("authentication_failed");
        AuditEvent event = authnFailure(decision.get("decision_id").stringValue(), "bad_spiffe_id");
        assertThat(event.actor().subject()).isEqualTo(FOREIGN);
    }

    @Test
    void aRevokedCertificateIsRejectedOnceTheCrlSaysSo() throws Exception {
        OpenBaoPki.Issued soonRevoked = workload(CHECKOUT, "1h");
        HttpClient client = presenting(soonRevoked);
        assertThat(decide(client).get("allow").booleanValue()).isTrue();

        pki.revoke("pki", soonRevoked.serial());
        // A sleep to reach a state, not a measurement: the service's CRL (refreshed at most every
        // second here) is due for a refresh that brings the revocation.
        Thread.sleep(1500);
        JsonNode decision = decide(client);

        assertThat(decision.get("allow").booleanValue()).isFalse();
        assertThat(decision.get("status").intValue()).isEqualTo(401);
        authnFailure(decision.get("decision_id").stringValue(), "revoked_certificate");
        // The other certificate of the same workload is still good.
        assertThat(decide(presenting(checkout)).get("allow").booleanValue()).isTrue();
    }

    @Test
    void anExpiredCertificateIsRefusedAtTheHandshakeAndWhenForwardedByATrustedProxy() throws Exception {
        OpenBaoPki.Issued shortLived = workload(CHECKOUT, "3s");
        Instant notAfter = shortLived.certificate().getNotAfter().toInstant();
        // A sleep to reach a state, not a measurement: the certificate past its notAfter.
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), notAfter.plusSeconds(1)).toMillis()));
        long before = service.audit().size();

        // On the listener, Tomcat's trust manager refuses it: the request never reaches Portcullis.
        HttpClient expired = TlsClients.insisting(serverCa, shortLived.privateKey(), List.of(shortLived.certificate()));
        assertThatThrownBy(() -> decide(expired)).isInstanceOf(IOException.class);
        assertThat(service.audit().size()).isEqualTo(before);

        // Forwarded by the trusted proxy, Portcullis itself refuses it, audited.
        HttpResponse<String> forwarded = checkForwarding(presenting(proxy), TestCertificates.xfcc(shortLived.certificate()));
        assertThat(forwarded.statusCode()).isEqualTo(401);
        authnFailure(Checker.decisionId(forwarded), "expired_certificate");
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedAtTheHandshakeAndWhenForwardedByATrustedProxy() throws Exception {
        pki.enableRootPki(ROGUE_MOUNT, "Rogue CA " + SUFFIX);
        rogueMounted = true;
        pki.write(ROGUE_MOUNT + "/roles/workload", Map.of("allow_any_name", true, "enforce_hostnames", false,
                "allowed_uri_sans", "spiffe://portcullis.test/*", "server_flag", false, "client_flag", true,
                "key_type", "ec", "key_bits", 256, "max_ttl", "1h"));
        OpenBaoPki.Issued rogue = pki.issue(ROGUE_MOUNT, "workload", "workload", Map.of("uri_sans", CHECKOUT, "ttl", "1h"));
        long before = service.audit().size();

        HttpClient insisting = TlsClients.insisting(serverCa, rogue.privateKey(), List.of(rogue.certificate()));
        assertThatThrownBy(() -> decide(insisting)).isInstanceOf(IOException.class);
        assertThat(service.audit().size()).isEqualTo(before);

        HttpResponse<String> forwarded = checkForwarding(presenting(proxy), TestCertificates.xfcc(rogue.certificate()));
        assertThat(forwarded.statusCode()).isEqualTo(401);
        authnFailure(Checker.decisionId(forwarded), "untrusted_certificate");
    }

    @Test
    void aForwardedCertificateFromAPeerWithoutACertificateIsAForgery() {
        HttpResponse<String> response = checkForwarding(TlsClients.anonymous(serverCa), TestCertificates.xfcc(checkout.certificate()));

        assertThat(response.statusCode()).isEqualTo(401);
        authnFailure(Checker.decisionId(response), "untrusted_forwarder");
    }

    @Test
    void aForwardedCertificateFromAWorkloadThatIsNotATrustedProxyIsAForgery() {
        OpenBaoPki.Issued reports = workload(REPORTS, "1h");

        HttpResponse<String> response = checkForwarding(presenting(reports), TestCertificates.xfcc(checkout.certificate()));

        assertThat(response.statusCode()).isEqualTo(401);
        authnFailure(Checker.decisionId(response), "untrusted_forwarder");
    }

    @Test
    void aCertificateForwardedByTheTrustedProxyIsTheCallersIdentity() {
        HttpResponse<String> response = checkForwarding(presenting(proxy), TestCertificates.xfcc(checkout.certificate()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-portcullis-subject")).contains(CHECKOUT);
        AuditEvent event = service.audit().event(Checker.decisionId(response));
        assertThat(event.actor().spiffeId()).isEqualTo(CHECKOUT);
        assertThat(event.attributes()).containsEntry("auth_methods", List.of("forwarded-mtls"));
    }

    @Test
    void aCertificateInTheHeadersNginxPassesOnIsNotBelievedEvenFromTheTrustedProxy() {
        HttpResponse<String> response = checkForwardingThroughNginx(presenting(proxy), TestCertificates.xfcc(checkout.certificate()));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(authnFailure(Checker.decisionId(response), "untrusted_forwarder").attributes())
                .containsEntry("protocol", "nginx");
    }

    @Test
    void theTrustedProxysOwnCertificateIsNotAnIdentityForTheRoute() {
        HttpResponse<String> response = new Checker(service, presenting(proxy)).check(null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(service.audit().event(Checker.decisionId(response)).reason()).isEqualTo("authentication_required");
    }

    @Test
    void eachRequestOnAKeptAliveConnectionIsItsOwnCertificatesAndAConnectionWithoutOneStaysAnonymous() {
        // Tomcat's TLS attributes are kept per TLS session (SessionCachingJsseImplementation): the
        // second and third requests on a connection read the chain, or its absence, from there.
        assertThat(service.sslImplementationName()).isEqualTo(SessionCachingJsseImplementation.class.getName());
        Checker withCertificate = new Checker(service, presenting(checkout));
        Checker withoutCertificate = new Checker(service, TlsClients.anonymous(serverCa));

        for (int request = 0; request < 3; request++) {
            HttpResponse<String> allowed = withCertificate.check(null);
            HttpResponse<String> anonymous = withoutCertificate.check(null);

            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.headers().firstValue("x-portcullis-subject")).contains(CHECKOUT);
            assertThat(service.audit().event(Checker.decisionId(allowed)).actor().spiffeId()).isEqualTo(CHECKOUT);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            AuditEvent refused = service.audit().event(Checker.decisionId(anonymous));
            assertThat(refused.reason()).isEqualTo("authentication_required");
            assertThat(refused.actor().spiffeId()).isNull();
        }
    }
}
