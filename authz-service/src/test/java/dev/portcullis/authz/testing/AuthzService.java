package dev.portcullis.authz.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.portcullis.authz.AuthzServiceApplication;
import dev.portcullis.testing.LocalStack;

/**
 * The authz-service started in-process for an integration test, on ports of its own (HTTP or
 * HTTPS, management and gRPC), with its own audit directory, pointing at the stack's OPA and
 * Keycloak (the demo realm's issuer, audience {@code orders-api}, subject {@code preferred_username},
 * token introspection on), configured like {@code write_authz_config} in bin/lib/stack.sh. A test
 * changes what it is about with {@link Builder#property}.
 */
public final class AuthzService implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final Path auditDirectory;
    private final int grpcPort;
    private final boolean https;

    private AuthzService(ConfigurableApplicationContext context, Path auditDirectory, int grpcPort, boolean https) {
        this.context = context;
        this.auditDirectory = auditDirectory;
        this.grpcPort = grpcPort;
        this.https = https;
    }

    public static Builder builder(LocalStack stack, Path workDirectory) {
        return new Builder(stack, workDirectory);
    }

    /** A free TCP port on 127.0.0.1 (for servers that cannot report the port they bound). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    /** The TLS implementation Tomcat's main connector was configured with (its class name). */
    public String sslImplementationName() {
        TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) context).getWebServer();
        return ((AbstractHttp11Protocol<?>) server.getTomcat().getConnector().getProtocolHandler()).getSslImplementationName();
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** The main listener, e.g. {@code http://127.0.0.1:41234}. */
    public URI uri(String path) {
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + port() + path);
    }

    /** The management listener (health, prometheus), plain HTTP on loopback. */
    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + context.getEnvironment().getRequiredProperty("local.management.port") + path);
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** The service's audit log, read through the service's own log instance. */
    public AuditTrail audit() {
        return new AuditTrail(context.getBean(dev.portcullis.audit.AuditLog.class), auditDirectory);
    }

    @Override
    public void close() {
        context.close();
    }

    /** Settings of one service instance; defaults as described on {@link AuthzService}. */
    public static final class Builder {
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private final Path workDirectory;
        private boolean https;

        private Builder(LocalStack stack, Path workDirectory) {
            this.workDirectory = workDirectory;
            properties.put("server.address", "127.0.0.1");
            properties.put("server.port", "0");
            properties.put("management.server.address", "127.0.0.1");
            properties.put("management.server.port", "0");
            properties.put("server.shutdown", "immediate");
            properties.put("portcullis.opa.url", stack.get("opa.addr"));
            properties.put("portcullis.audit.directory", workDirectory.resolve("audit").toString());
            properties.put("portcullis.audit.origin", "portcullis.test/authz-it");
            // Outside the log directory, as the service requires; created on first start.
            properties.put("portcullis.audit.signing-key-file", workDirectory.resolve("keys/audit-checkpoint.key").toString());
            properties.put("portcullis.identity.issuers[0].discovery-url",
                    stack.get("keycloak.issuer") + "/.well-known/openid-configuration");
            properties.put("portcullis.identity.issuers[0].audiences", "orders-api");
            properties.put("portcullis.identity.issuers[0].subject-claim", "preferred_username");
            properties.put("portcullis.identity.issuers[0].tenants-claim", stack.get("keycloak.tenants-claim"));
            properties.put("portcullis.identity.issuers[0].tenants-claim-prefix", stack.get("keycloak.tenants-claim-prefix"));
            properties.put("portcullis.identity.issuers[0].introspection.enabled", "true");
            properties.put("portcullis.identity.issuers[0].introspection.client-id", stack.get("keycloak.introspection.client-id"));
            properties.put("portcullis.identity.issuers[0].introspection.client-secret", stack.get("keycloak.introspection.secret"));
            // Not the contract's 9191: other stacks on this machine may be using it.
            properties.put("portcullis.grpc.port", String.valueOf(freePort()));
        }

        public Builder property(String name, Object value) {
            properties.put(name, String.valueOf(value));
            return this;
        }

        /**
         * Serves HTTPS with the PEM certificate chain and key in the given files (Spring Boot SSL
         * bundle {@code it-server}); {@code clientCa}, if not null, is the trust bundle client
         * certificates are checked against at the handshake, with client authentication wanted.
         */
        public Builder https(Path certificateChain, Path privateKey, Path clientCa) {
            this.https = true;
            properties.put("server.ssl.bundle", "it-server");
            properties.put("spring.ssl.bundle.pem.it-server.keystore.certificate", "file:" + certificateChain);
            properties.put("spring.ssl.bundle.pem.it-server.keystore.private-key", "file:" + privateKey);
            if (clientCa != null) {
                properties.put("spring.ssl.bundle.pem.it-server.truststore.certificate", "file:" + clientCa);
                properties.put("server.ssl.client-auth", "want");
            }
            return this;
        }

        public AuthzService start() {
            try {
                Files.createDirectories(workDirectory);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // As command-line arguments: they outrank application.properties (builder "properties" do not).
            String[] arguments = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);
            ConfigurableApplicationContext context = new SpringApplicationBuilder(AuthzServiceApplication.class)
                    .run(arguments);
            return new AuthzService(context, workDirectory.resolve("audit"),
                    Integer.parseInt((String) properties.get("portcullis.grpc.port")), https);
        }
    }
}
