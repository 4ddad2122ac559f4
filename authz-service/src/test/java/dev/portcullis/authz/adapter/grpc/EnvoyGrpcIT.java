package dev.portcullis.authz.adapter.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.authz.testing.TestCertificates;
import dev.portcullis.authz.testing.TestTokens;
import dev.portcullis.testing.LocalStack;

/**
 * Envoy's ext_authz gRPC contract ({@code envoy.service.auth.v3.Authorization/Check}, Envoy's
 * published protos) against the running service, as Envoy calls it on loopback in plaintext:
 * a blocking stub generated from the real protos, real Keycloak tokens, the real OPA.
 */
class EnvoyGrpcIT {

    private static LocalStack stack;
    private static AuthzService service;
    private static ManagedChannel channel;
    private static AuthorizationGrpc.AuthorizationBlockingStub envoy;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.require();
        service = AuthzService.builder(stack, Files.createTempDirectory("portcullis-grpc-it-")).start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", service.grpcPort(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(4 * 1024 * 1024).build();
        envoy = AuthorizationGrpc.newBlockingStub(channel);
        try (KeycloakRealm keycloak = new KeycloakRealm(stack)) {
            alice = keycloak.accessToken("alice");
            bob = keycloak.accessToken("bob");
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (service != null) {
            service.close();
        }
    }

    private static CheckRequest request(String token, AttributeContext.Peer source) {
        AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
                .setMethod("GET").setPath("/orders/1").setId("envoy-" + System.nanoTime())
                .putHeaders(":authority", "shop.portcullis.test").putHeaders("user-agent", "envoy-it");
        if (token != null) {
            http.putHeaders("authorization", "Bearer " + token);
        }
        AttributeContext.Builder attributes = AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http));
        if (source != null) {
            attributes.setSource(source);
        }
        return CheckRequest.newBuilder().setAttributes(attributes).build();
    }

    private static CheckResponse check(CheckRequest request) {
        return envoy.withDeadlineAfter(30, TimeUnit.SECONDS).check(request);
    }

    private static Map<String, String> headers(Iterable<HeaderValueOption> options) {
        Map<String, String> map = new LinkedHashMap<>();
        options.forEach(o -> map.put(o.getHeader().getKey(), o.getHeader().getValue()));
        return map;
    }

    private static AuditEvent audited(Map<String, String> headers) {
        return service.audit().event(headers.get("x-portcullis-decision-id"));
    }

    @Test
    void aliceIsAllowedWithHerSubjectForTheUpstream() {
        CheckResponse response = check(request(alice, null));

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.OK.value());
        assertThat(response.hasOkResponse()).isTrue();
        Map<String, String> upstream = headers(response.getOkResponse().getHeadersList());
        assertThat(upstream).containsEntry("x-portcullis-subject", "alice").containsKey("x-portcullis-decision-id");
        AuditEvent event = audited(upstream);
        assertThat(event.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(event.attributes()).containsEntry("protocol", "envoy-grpc");
        assertThat(event.actor().userAgent()).isEqualTo("envoy-it");
    }

    @Test
    void bobIsDeniedWithPermissionDeniedAnd403() {
        CheckResponse response = check(request(bob, null));

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
        assertThat(response.hasOkResponse()).isFalse();
        assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
        assertThat(audited(headers(response.getDeniedResponse().getHeadersList())).outcome()).isEqualTo(Outcome.DENY);
    }

    @Test
    void aBadTokenIsUnauthenticatedWith401AndAChallenge() {
        String forged = TestTokens.signedWith(TestTokens.rsaKey("attacker"), Instant.now())
                .issuer(stack.get("keycloak.issuer"))
                .sign();

        CheckResponse response = check(request(forged, null));

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
        assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
        Map<String, String> headers = headers(response.getDeniedResponse().getHeadersList());
        assertThat(headers.get("www-authenticate")).contains("error=\"invalid_token\"");
        AuditEvent event = audited(headers);
        assertThat(event.type()).isEqualTo(EventType.AUTHN_FAILURE);
        assertThat(event.reason()).isEqualTo("authn:unknown_key");
    }

    @Test
    void noTokenIsUnauthenticatedBecauseThePolicyAsksForAuthentication() {
        CheckResponse response = check(request(null, null));

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
        assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
        assertThat(audited(headers(response.getDeniedResponse().getHeadersList())).reason()).isEqualTo("authentication_required");
    }

    @Test
    void aOneMegabyteTokenIsUnauthenticatedAndAuditedAsTooLarge() {
        String huge = "eyJ" + "A".repeat(1024 * 1024);

        CheckResponse response = check(request(huge, null));

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
        assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
        assertThat(audited(headers(response.getDeniedResponse().getHeadersList())).reason()).isEqualTo("authn:token_too_large");
    }

    @Test
    void aClientCertificateForwardedByAPeerThatIsNotATrustedProxyIsRejected() {
        TestCertificates.Authority ca = TestCertificates.Authority.create("forger");
        AttributeContext.Peer forged = AttributeContext.Peer.newBuilder()
                .setCertificate(TestCertificates.urlEncodedPem(ca.leaf().issue().certificate())).build();

        CheckResponse response = check(request(alice, forged));

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
        assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
        AuditEvent event = audited(headers(response.getDeniedResponse().getHeadersList()));
        assertThat(event.reason()).isEqualTo("authn:untrusted_forwarder");
        assertThat(event.attributes()).containsEntry("credential", "certificate");
    }

    @Test
    void aCheckWithoutAnHttpRequestIsInvalidArgumentNeverOk() {
        CheckResponse response = check(CheckRequest.getDefaultInstance());

        assertThat(response.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(400);
        assertThat(audited(headers(response.getDeniedResponse().getHeadersList())).reason()).isEqualTo("bad_check");
    }
}
