package dev.portcullis.authz.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

import com.nimbusds.jwt.SignedJWT;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.ExternalProcess;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.OpenBaoPki;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole path as a deployment runs it: a real nginx (the stack's binary, configured from the
 * project's own {@code bin/lib/nginx-demo.conf.template}) in front of a small upstream, asking the
 * service with {@code auth_request} over HTTPS (server certificate from OpenBao's PKI, verified by
 * nginx), tokens from the real Keycloak, decisions from the real OPA.
 */
class NginxAuthRequestIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Lifetime of the short-lived test client's tokens, and the service's clock skew. */
    private static final Duration SHORT_LIFESPAN = Duration.ofSeconds(5);
    private static final Duration SKEW = Duration.ofSeconds(1);

    private static Path work;
    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static ExternalProcess nginx;
    private static int nginxPort;
    private static String shortLivedClientId;
    private static String shortLivedClientUuid;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        LocalStack stack = LocalStack.require();
        work = Files.createTempDirectory("portcullis-nginx-it-");
        // nginx's workers run as another user when the tests run as root: they must reach their files.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        keycloak = new KeycloakRealm(stack);

        Path certificate = work.resolve("service.pem");
        Path key = work.resolve("service-key.pem");
        Path ca = work.resolve("ca.pem");
        try (OpenBaoPki pki = new OpenBaoPki(stack)) {
            OpenBaoPki.Issued issued = pki.issue("pki", "portcullis-service", "localhost",
                    Map.of("alt_names", "localhost", "ip_sans", "127.0.0.1", "ttl", "1h"));
            Files.writeString(certificate, issued.certificatePem() + "\n" + issued.issuingCaPem() + "\n");
            Files.writeString(key, issued.privateKeyPem() + "\n");
            Files.writeString(ca, issued.issuingCaPem() + "\n");
        }
        service = AuthzService.builder(stack, work.resolve("service"))
                .https(certificate, key, null)
                .property("portcullis.identity.issuers[0].clock-skew", SKEW.toSeconds() + "s")
                .start();

        nginxPort = AuthzService.freePort();
        int upstreamPort = AuthzService.freePort();
        Path nginxDir = work.resolve("nginx");
        Files.createDirectories(nginxDir.resolve("temp"));
        String template = Files.readString(stack.path("repo.dir").resolve("bin/lib/nginx-demo.conf.template"));
        Files.writeString(nginxDir.resolve("nginx.conf"), template
                .replace("@PORT_NGINX@", String.valueOf(nginxPort))
                .replace("@PORT_UPSTREAM@", String.valueOf(upstreamPort))
                .replace("@PORT_AUTHZ_HTTPS@", String.valueOf(service.port()))
                .replace("@STATE@", nginxDir.toString())
                .replace("@AUTHZ_CA@", ca.toString()));
        nginx = ExternalProcess.start("nginx", List.of(stack.get("nginx.bin"), "-p", nginxDir.toString(),
                        "-c", nginxDir.resolve("nginx.conf").toString(), "-e", nginxDir.resolve("error.log").toString(),
                        "-g", "daemon off;"),
                work.resolve("nginx.log"), URI.create("http://127.0.0.1:" + nginxPort + "/healthz"));

        shortLivedClientId = "it-short-lived-" + UUID.randomUUID();
        shortLivedClientUuid = createShortLivedClient(shortLivedClientId);
    }

    /** A public client whose access tokens live {@link #SHORT_LIFESPAN}, with the orders-api audience. */
    private static String createShortLivedClient(String clientId) {
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId(clientId);
        client.setPublicClient(true);
        client.setDirectAccessGrantsEnabled(true);
        client.setStandardFlowEnabled(false);
        client.setAttributes(Map.of("access.token.lifespan", String.valueOf(SHORT_LIFESPAN.toSeconds())));
        ProtocolMapperRepresentation audience = new ProtocolMapperRepresentation();
        audience.setName("audience orders-api");
        audience.setProtocol("openid-connect");
        audience.setProtocolMapper("oidc-audience-mapper");
        audience.setConfig(Map.of("included.custom.audience", "orders-api", "access.token.claim", "true",
                "id.token.claim", "false", "introspection.token.claim", "true"));
        client.setProtocolMappers(List.of(audience));
        try (Response response = keycloak.admin().clients().create(client)) {
            return CreatedResponseUtil.getCreatedId(response);
        }
    }

    @AfterAll
    static void stop() {
        if (shortLivedClientUuid != null) {
            keycloak.admin().clients().get(shortLivedClientUuid).remove();
        }
        if (nginx != null) {
            nginx.close();
        }
        if (service != null) {
            service.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    private static HttpResponse<String> get(String path, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginxPort + path))
                .timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String decisionId(HttpResponse<String> response) {
        return response.headers().firstValue("x-portcullis-decision-id")
                .orElseGet(() -> JSON.readTree(response.body()).get("decision_id").stringValue());
    }

    @Test
    void aliceReadsAnOrderAndTheUpstreamSeesHerSubject() throws Exception {
        HttpResponse<String> response = get("/orders/1", keycloak.accessToken("alice"), Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode upstream = JSON.readTree(response.body());
        assertThat(upstream.get("service").stringValue()).isEqualTo("orders-demo");
        assertThat(upstream.get("subject").stringValue()).isEqualTo("alice");
        String decisionId = upstream.get("decision_id").stringValue();
        AuditEvent event = service.audit().event(decisionId);
        assertThat(event.type()).isEqualTo(EventType.AUTHZ_DECISION);
        assertThat(event.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(event.actor().subject()).isEqualTo("alice");
        assertThat(event.action()).isEqualTo("GET");
        assertThat(event.resource()).isEqualTo("/orders/1");
        assertThat(event.reason()).isEqualTo("role:order-reader");
        assertThat(event.attributes()).containsEntry("protocol", "nginx");
        // ... and provably in the log an auditor verifies: an inclusion proof against a signed checkpoint.
        service.audit().proveIncluded(decisionId);
    }

    @Test
    void aClientCannotSmuggleItsOwnSubjectHeaderToTheUpstream() throws Exception {
        HttpResponse<String> response = get("/orders/1", keycloak.accessToken("alice"),
                Map.of("X-Portcullis-Subject", "sec-admin"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("subject").stringValue()).isEqualTo("alice");
    }

    @Test
    void bobWithoutTheRoleIsForbidden() throws Exception {
        HttpResponse<String> response = get("/orders/1", keycloak.accessToken("bob"), Map.of());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).doesNotContain("orders-demo");
        AuditEvent event = service.audit().event(decisionId(response));
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.actor().subject()).isEqualTo("bob");
        assertThat(event.reason()).contains("missing_role:order-reader");
    }

    @Test
    void noTokenIsUnauthorizedWithABearerChallenge() throws Exception {
        HttpResponse<String> response = get("/orders/1", null, Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(response.body()).doesNotContain("orders-demo");
        AuditEvent event = service.audit().event(decisionId(response));
        assertThat(event.outcome()).isEqualTo(Outcome.DENY);
        assertThat(event.reason()).isEqualTo("authentication_required");
    }

    @Test
    void anExpiredTokenIsUnauthorizedAndAuditedAsExpired() throws Exception {
        String token = keycloak.passwordGrant(shortLivedClientId, "alice", "alice").get("access_token").stringValue();
        var claims = SignedJWT.parse(token).getJWTClaimsSet();
        Instant expiry = claims.getExpirationTime().toInstant();
        assertThat(Duration.between(claims.getIssueTime().toInstant(), expiry)).isEqualTo(SHORT_LIFESPAN);
        // A sleep to reach a state (the token past its expiry and the service's skew), not a measurement.
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry.plus(SKEW).plusSeconds(1)).toMillis()));

        HttpResponse<String> response = get("/orders/1", token, Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate"))
                .hasValueSatisfying(v -> assertThat(v).contains("error=\"invalid_token\""));
        AuditEvent event = service.audit().event(decisionId(response));
        assertThat(event.type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(event.reason()).isEqualTo("authn:expired");
        assertThat(event.actor().subject()).isEqualTo("alice");
        assertThat(service.audit().logged(decisionId(response))).doesNotContain(token.split("\\.")[2]);
        assertThat(service.audit().filesContain(token.split("\\.")[2])).isFalse();
    }
}
