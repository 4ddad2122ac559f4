package dev.portcullis.authz.adapter.grpc;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.StreamObserver;

import dev.portcullis.authz.adapter.http.BadCheckException;
import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.Protocol;

/**
 * {@code envoy.service.auth.v3.Authorization/Check}: Envoy's external authorization over gRPC.
 * Translates the {@code CheckRequest}, asks the {@link Authorizer}, translates the decision back.
 * The TLS peer (Envoy) is read from the call's SSL session by {@link #peerInterceptor()}.
 */
public final class EnvoyAuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {

    private static final Context.Key<List<X509Certificate>> PEER_CERTIFICATES = Context.key("portcullis-peer-certificates");
    private static final Context.Key<String> PEER_ADDRESS = Context.key("portcullis-peer-address");
    private static final Context.Key<Boolean> PEER_LOOPBACK = Context.key("portcullis-peer-loopback");

    private final Authorizer authorizer;
    private final CallerTrust callers;
    private final DecisionIds ids;
    private final Clock clock;

    public EnvoyAuthorizationService(Authorizer authorizer, CallerTrust callers, DecisionIds ids, Clock clock) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer cannot be null");
        this.callers = Objects.requireNonNull(callers, "callers cannot be null");
        this.ids = Objects.requireNonNull(ids, "ids cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    @Override
    public void check(CheckRequest request, StreamObserver<CheckResponse> responses) {
        String decisionId = ids.next();
        Instant receivedAt = clock.instant();
        List<X509Certificate> peer = PEER_CERTIFICATES.get() == null ? List.of() : PEER_CERTIFICATES.get();
        boolean loopback = Boolean.TRUE.equals(PEER_LOOPBACK.get());
        Decision decision;
        if (!callers.mayAsk(loopback, peer)) {
            decision = authorizer.refuseCaller(decisionId, Protocol.ENVOY_GRPC, PEER_ADDRESS.get(), receivedAt,
                    "the caller is neither on loopback nor a trusted proxy");
            responses.onNext(EnvoyCheckResponses.of(decision));
            responses.onCompleted();
            return;
        }
        try {
            CheckContext context = EnvoyCheckContexts.from(request, decisionId, receivedAt, peer, loopback);
            decision = authorizer.check(context);
        } catch (BadCheckException e) {
            decision = authorizer.refuseMalformed(decisionId, Protocol.ENVOY_GRPC, PEER_ADDRESS.get(), receivedAt, e.getMessage());
        } catch (RuntimeException e) {
            decision = authorizer.failUnexpectedly(decisionId, Protocol.ENVOY_GRPC, PEER_ADDRESS.get(), receivedAt, e);
        }
        responses.onNext(EnvoyCheckResponses.of(decision));
        responses.onCompleted();
    }

    /** Puts the caller's verified TLS certificates and address into the gRPC context of each call. */
    public static ServerInterceptor peerInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                List<X509Certificate> certificates = new ArrayList<>();
                if (session != null) {
                    try {
                        for (Certificate c : session.getPeerCertificates()) {
                            if (c instanceof X509Certificate x) {
                                certificates.add(x);
                            }
                        }
                    } catch (SSLPeerUnverifiedException e) {
                        // No client certificate: the peer is anonymous at the TLS level.
                    }
                }
                SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                String address = null;
                boolean loopback = false;
                if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
                    address = inet.getAddress().getHostAddress();
                    loopback = inet.getAddress().isLoopbackAddress();
                }
                Context context = Context.current()
                        .withValue(PEER_CERTIFICATES, List.copyOf(certificates))
                        .withValue(PEER_ADDRESS, address)
                        .withValue(PEER_LOOPBACK, loopback);
                return Contexts.interceptCall(context, call, headers, next);
            }
        };
    }
}
