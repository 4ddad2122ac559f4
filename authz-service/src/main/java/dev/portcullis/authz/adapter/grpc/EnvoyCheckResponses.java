package dev.portcullis.authz.adapter.grpc;

import com.google.rpc.Status;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;

import dev.portcullis.authz.check.Decision;

/**
 * Translates a {@link Decision} into Envoy's {@code CheckResponse}: {@code OK} with the headers to
 * add upstream, or a non-OK status (UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE, ...) with the
 * denied HTTP response (status, headers, body) Envoy returns to the client.
 */
final class EnvoyCheckResponses {

    // google.rpc.Code values (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto).
    static final int OK = 0;
    static final int INVALID_ARGUMENT = 3;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private EnvoyCheckResponses() {
    }

    static CheckResponse of(Decision decision) {
        if (decision.allow()) {
            OkHttpResponse.Builder ok = OkHttpResponse.newBuilder();
            decision.headers().forEach((name, value) -> ok.addHeaders(header(name, value)));
            return CheckResponse.newBuilder()
                    .setStatus(Status.newBuilder().setCode(OK))
                    .setOkResponse(ok)
                    .build();
        }
        DeniedHttpResponse.Builder denied = DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(statusCode(decision.status())));
        decision.headers().forEach((name, value) -> denied.addHeaders(header(name, value)));
        if (decision.body() != null) {
            denied.setBody(decision.body());
            denied.addHeaders(header("content-type", decision.body().startsWith("{") ? "application/json" : "text/plain"));
        }
        return CheckResponse.newBuilder()
                .setStatus(Status.newBuilder().setCode(rpcCode(decision.status())).setMessage(String.join(",", decision.reasons())))
                .setDeniedResponse(denied)
                .build();
    }

    private static HeaderValueOption header(String name, String value) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                .build();
    }

    private static StatusCode statusCode(int status) {
        StatusCode code = StatusCode.forNumber(status);
        // Never let an unknown code fall back to an "empty" (0) status Envoy could misread.
        return code == null || code == StatusCode.Empty ? (status >= 500 ? StatusCode.ServiceUnavailable : StatusCode.Forbidden) : code;
    }

    private static int rpcCode(int status) {
        return switch (status) {
            case 400 -> INVALID_ARGUMENT;
            case 401 -> UNAUTHENTICATED;
            case 429 -> RESOURCE_EXHAUSTED;
            case 503, 504 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : PERMISSION_DENIED;
        };
    }
}
