package dev.portcullis.authz.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A JWKS endpoint on 127.0.0.1: a real HTTP server (the JDK's) that serves a {@link JWKSet}'s public
 * keys at {@code /jwks}, counts the requests it answers, and can be stopped and started again on the
 * same port (an issuer that goes away and comes back).
 */
public final class JwksServer implements AutoCloseable {

    private final AtomicInteger requests = new AtomicInteger();
    private final int port;
    private volatile JWKSet keys;
    private volatile HttpServer server;

    private JwksServer(JWKSet keys) throws IOException {
        this.keys = keys;
        this.server = bind(0);
        this.port = server.getAddress().getPort();
    }

    /** Starts serving the public part of {@code keys}. */
    public static JwksServer start(JWKSet keys) {
        try {
            return new JwksServer(keys);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the JWKS server", e);
        }
    }

    private HttpServer bind(int onPort) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
        http.createContext("/jwks", this::serve);
        http.start();
        return http;
    }

    private void serve(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        byte[] body = keys.toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public URI jwksUri() {
        return URI.create("http://127.0.0.1:" + port + "/jwks");
    }

    /** How many times the JWKS was served. */
    public int requests() {
        return requests.get();
    }

    /** Serves {@code newKeys} from now on (the issuer rotated). */
    public void publish(JWKSet newKeys) {
        this.keys = newKeys;
    }

    /** Stops listening: connections to the port are refused until {@link #restart()}. */
    public void stop() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    public void restart() {
        try {
            server = bind(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen again on 127.0.0.1:" + port, e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
