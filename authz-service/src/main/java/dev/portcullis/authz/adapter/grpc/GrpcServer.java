package dev.portcullis.authz.adapter.grpc;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;

/**
 * The gRPC listener for Envoy's ext_authz. With a certificate configured it speaks TLS, reloading
 * the certificate and key from their files when they change (renewed certificates take effect
 * without a restart, open connections keep going), and asks for or requires client certificates
 * checked against the trust bundle. Calls run on virtual threads: a check blocks on the durable
 * audit append.
 */
public final class GrpcServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);

    /** TLS settings of the listener; {@code clientAuth} is {@code none}, {@code optional} or {@code required}. */
    public record Tls(Path certificate, Path privateKey, Path trustBundle, String clientAuth) {
    }

    private final Server server;
    private final ExecutorService executor;
    private final ScheduledExecutorService reloader;
    private final List<Closeable> reloads = new ArrayList<>();

    public GrpcServer(String address, int port, Tls tls, EnvoyAuthorizationService service) throws IOException, GeneralSecurityException {
        Objects.requireNonNull(service, "service cannot be null");
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.reloader = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("grpc-tls-reload").factory());
        ServerCredentials credentials = tls == null ? InsecureServerCredentials.create() : credentials(tls);
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(address, port), credentials)
                .executor(executor)
                .maxInboundMessageSize(4 * 1024 * 1024)
                .addService(ServerInterceptors.intercept(service, EnvoyAuthorizationService.peerInterceptor()))
                .build();
    }

    private ServerCredentials credentials(Tls tls) throws IOException, GeneralSecurityException {
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        reloads.add(keys.updateIdentityCredentials(tls.certificate().toFile(), tls.privateKey().toFile(),
                1, TimeUnit.MINUTES, reloader));
        TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keys);
        TlsServerCredentials.ClientAuth clientAuth = switch (tls.clientAuth() == null ? "none" : tls.clientAuth()) {
            case "none" -> TlsServerCredentials.ClientAuth.NONE;
            case "optional" -> TlsServerCredentials.ClientAuth.OPTIONAL;
            case "required" -> TlsServerCredentials.ClientAuth.REQUIRE;
            default -> throw new IllegalArgumentException("portcullis.grpc.client-auth must be none, optional or required, was "
                    + tls.clientAuth());
        };
        if (clientAuth != TlsServerCredentials.ClientAuth.NONE) {
            if (tls.trustBundle() == null) {
                throw new IllegalArgumentException("gRPC client authentication needs portcullis.mtls.trust-bundle");
            }
            AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build();
            File bundle = tls.trustBundle().toFile();
            reloads.add(trust.updateTrustCredentials(bundle, 1, TimeUnit.MINUTES, reloader));
            builder.trustManager(trust).clientAuth(clientAuth);
        }
        return builder.build();
    }

    public void start() throws IOException {
        server.start();
        log.info("gRPC ext_authz listening on {}", server.getListenSockets());
    }

    /** The port actually bound (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        for (Closeable reload : reloads) {
            try {
                reload.close();
            } catch (IOException e) {
                log.debug("closing a TLS reload task failed", e);
            }
        }
        reloader.shutdownNow();
        executor.shutdown();
    }
}
