package dev.portcullis.anomaly.response;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Just enough of Keycloak's token endpoint and admin REST API (realm {@code portcullis}) for the
 * responder's unit tests: users by id and by exact username (compared without regard to case, as
 * Keycloak stores user names in lower case), their sessions, logout and update. Every request is
 * recorded as {@code METHOD path}, so that a test can tell what the responder changed. Listens on an
 * ephemeral loopback port.
 */
final class FakeKeycloak implements AutoCloseable {

    static final String REALM = "portcullis";
    private static final String USERS = "/admin/realms/" + REALM + "/users";

    /** A user as the fake keeps it. */
    record User(String id, String username, boolean enabled) {
    }

    private final HttpServer server;
    private final Map<String, User> users = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> updates = new CopyOnWriteArrayList<>();

    FakeKeycloak(User... known) throws IOException {
        for (User u : known) {
            users.put(u.id(), u);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/realms/" + REALM + "/protocol/openid-connect/token", exchange -> {
            exchange.getRequestBody().readAllBytes();
            send(exchange, 200, "{\"access_token\":\"fake-admin-token\",\"expires_in\":300,\"token_type\":\"Bearer\"}");
        });
        server.createContext(USERS, this::users);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The requests that changed something (logout, update). */
    List<String> changes() {
        return requests.stream().filter(r -> r.startsWith("POST") || r.startsWith("PUT")).toList();
    }

    private void users(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        requests.add(method + " " + path);
        String rest = path.substring(USERS.length());
        if (rest.isEmpty() || rest.equals("/")) {
            String username = query(exchange.getRequestURI(), "username");
            List<String> found = new ArrayList<>();
            for (User u : users.values()) {
                if (username != null && u.username().equalsIgnoreCase(username)) {
                    found.add(json(u));
                }
            }
            send(exchange, 200, "[" + String.join(",", found) + "]");
            return;
        }
        String[] parts = rest.substring(1).split("/", 2);
        User user = users.get(URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
        if (user == null) {
            send(exchange, 404, "{\"error\":\"User not found\"}");
            return;
        }
        String sub = parts.length > 1 ? parts[1] : "";
        switch (method + " " + sub) {
            case "GET " -> send(exchange, 200, json(user));
            case "GET sessions" -> send(exchange, 200, "[{\"id\":\"session-1\",\"username\":\"" + user.username() + "\"}]");
            case "POST logout" -> {
                exchange.getRequestBody().readAllBytes();
                send(exchange, 204, null);
            }
            case "PUT " -> {
                try (InputStream in = exchange.getRequestBody()) {
                    updates.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                send(exchange, 204, null);
            }
            default -> send(exchange, 404, "{\"error\":\"not in the fake\"}");
        }
    }

    private static String json(User u) {
        return String.format(Locale.ROOT, "{\"id\":\"%s\",\"username\":\"%s\",\"enabled\":%s}", u.id(), u.username(),
                u.enabled());
    }

    private static String query(URI uri, String name) {
        String raw = uri.getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
