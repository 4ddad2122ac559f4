package dev.portcullis.authz.adapter.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;

import dev.portcullis.authz.adapter.http.BadCheckException;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Protocol;

/** Envoy's ext_authz v3 {@code CheckRequest}, read into a {@link CheckContext}. */
class EnvoyCheckContextsTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static AttributeContext.HttpRequest.Builder http() {
        return AttributeContext.HttpRequest.newBuilder().setMethod("GET").setPath("/orders/1?expand=items")
                .setId("envoy-request-1").putHeaders("authorization", "Bearer t").putHeaders(":authority", "shop.test");
    }

    private static CheckRequest request(AttributeContext.HttpRequest.Builder http, AttributeContext.Peer.Builder source) {
        AttributeContext.Builder attributes = AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http));
        if (source != null) {
            attributes.setSource(source);
        }
        return CheckRequest.newBuilder().setAttributes(attributes).build();
    }

    private static CheckContext read(CheckRequest request) throws BadCheckException {
        return EnvoyCheckContexts.from(request, "01D", NOW, List.of(), true);
    }

    @Test
    void fromWhenAnHttpRequestThenMethodPathQueryHeadersAndRequestId() throws BadCheckException {
        CheckContext context = read(request(http(), null));

        assertThat(context.protocol()).isEqualTo(Protocol.ENVOY_GRPC);
        assertThat(context.method()).isEqualTo("GET");
        assertThat(context.path()).isEqualTo("/orders/1");
        assertThat(context.query()).isEqualTo("expand=items");
        assertThat(context.header("authorization")).contains("Bearer t");
        assertThat(context.requestId()).isEqualTo("envoy-request-1");
        assertThat(context.decisionId()).isEqualTo("01D");
        assertThat(context.peerOnLoopback()).isTrue();
        assertThat(context.forwardedClientCertificate()).isNull();
    }

    @Test
    void fromWhenHeadersComeAsAHeaderMapWithRawValuesThenTheyAreRead() throws BadCheckException {
        AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder().setMethod("POST").setPath("/orders")
                .setHeaderMap(HeaderMap.newBuilder()
                        .addHeaders(HeaderValue.newBuilder().setKey("authorization").setRawValue(ByteString.copyFromUtf8("Bearer raw")))
                        .addHeaders(HeaderValue.newBuilder().setKey("x-request-id").setValue("rid-7")));

        CheckContext context = read(request(http, null));

        assertThat(context.header("authorization")).contains("Bearer raw");
        assertThat(context.requestId()).isEqualTo("rid-7");
    }

    @Test
    void fromWhenEnvoyVerifiedADownstreamCertificateThenItIsCarriedAsForwarded() throws BadCheckException {
        AttributeContext.Peer.Builder source = AttributeContext.Peer.newBuilder()
                .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("203.0.113.7").setPortValue(5555)))
                .setCertificate("-----BEGIN%20CERTIFICATE-----%0AAAAA%0A-----END%20CERTIFICATE-----%0A");

        CheckContext context = read(request(http(), source));

        assertThat(context.sourceIp()).isEqualTo("203.0.113.7");
        assertThat(context.forwardedClientCertificate())
                .isEqualTo("Cert=\"-----BEGIN%20CERTIFICATE-----%0AAAAA%0A-----END%20CERTIFICATE-----%0A\"");
    }

    @Test
    void fromWhenNoSourceCertificateThenAnXfccHeaderIsCarried() throws BadCheckException {
        CheckContext context = read(request(http().putHeaders("x-forwarded-client-cert", "Cert=\"abc\""), null));

        assertThat(context.forwardedClientCertificate()).isEqualTo("Cert=\"abc\"");
    }

    @Test
    void fromWhenThePathIsEmptyThenTheRoot() throws BadCheckException {
        assertThat(read(request(http().setPath(""), null)).path()).isEqualTo("/");
    }

    @Test
    void fromWhenNoHttpAttributesThenRefused() {
        assertThatThrownBy(() -> read(CheckRequest.getDefaultInstance())).isInstanceOf(BadCheckException.class);
        assertThatThrownBy(() -> read(CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.getDefaultInstance())).build())).isInstanceOf(BadCheckException.class);
    }

    @Test
    void fromWhenTheMethodOrPathIsBadThenRefused() {
        assertThatThrownBy(() -> read(request(http().setMethod(""), null))).isInstanceOf(BadCheckException.class);
        assertThatThrownBy(() -> read(request(http().setMethod("GET /x"), null))).isInstanceOf(BadCheckException.class);
        assertThatThrownBy(() -> read(request(http().setPath("/orders/1 2"), null))).isInstanceOf(BadCheckException.class);
    }

    @Test
    void fromWhenThePathCouldBeReadAsAnAuthorityOrResolvedElsewhereThenRefused() {
        // new URI("//admin/orders/1") reads "admin" as a host and "/orders/1" as the path.
        for (String path : new String[] {"//admin/orders/1", "/orders/..;/admin", "/orders%2F1"}) {
            assertThatThrownBy(() -> read(request(http().setPath(path), null))).as(path)
                    .isInstanceOf(BadCheckException.class).hasMessageContaining("attributes.request.http.path");
        }
    }

    @Test
    void fromWhenTheRequestIdIsNotAPlainTokenThenItIsDropped() throws BadCheckException {
        assertThat(read(request(http().setId("id with spaces"), null)).requestId()).isNull();
    }
}
