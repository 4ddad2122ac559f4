package dev.portcullis.authz.config;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.portcullis.authz.adapter.grpc.EnvoyAuthorizationService;
import dev.portcullis.authz.adapter.grpc.GrpcServer;
import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.Protocol;

/** Starts the Envoy ext_authz gRPC listener with the application, when the protocol is enabled. */
@Configuration(proxyBeanMethods = false)
class GrpcConfiguration {

    @Bean
    EnvoyAuthorizationService envoyAuthorizationService(Authorizer authorizer, CallerTrust callers, DecisionIds ids, Clock clock) {
        return new EnvoyAuthorizationService(authorizer, callers, ids, clock);
    }

    @Bean
    GrpcServerLifecycle grpcServer(PortcullisProperties properties, EnvoyAuthorizationService service)
            throws IOException, GeneralSecurityException {
        if (!CheckConfiguration.enabledProtocols(properties).contains(Protocol.ENVOY_GRPC)) {
            return new GrpcServerLifecycle(null);
        }
        PortcullisProperties.Grpc grpc = properties.grpc();
        GrpcServer.Tls tls = null;
        if (grpc.certificate() != null || grpc.privateKey() != null) {
            if (grpc.certificate() == null || grpc.privateKey() == null) {
                throw new IllegalStateException("portcullis.grpc.certificate and portcullis.grpc.private-key go together");
            }
            tls = new GrpcServer.Tls(grpc.certificate(), grpc.privateKey(), properties.mtls().trustBundle(), grpc.clientAuth());
        }
        return new GrpcServerLifecycle(new GrpcServer(grpc.address(), grpc.port(), tls, service));
    }

    /** Binds the gRPC server's start and stop to the application's. */
    static final class GrpcServerLifecycle implements SmartLifecycle {
        private final GrpcServer server;
        private volatile boolean running;

        GrpcServerLifecycle(GrpcServer server) {
            this.server = server;
        }

        @Override
        public void start() {
            if (server == null) {
                return;
            }
            try {
                server.start();
                running = true;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the gRPC listener: " + e.getMessage(), e);
            }
        }

        @Override
        public void stop() {
            if (server != null && running) {
                server.close();
            }
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        GrpcServer server() {
            return server;
        }
    }
}
