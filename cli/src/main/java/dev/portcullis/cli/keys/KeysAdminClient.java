package dev.portcullis.cli.keys;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;


import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ServiceConnection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP client of the service's key admin API ({@code /v1/admin/keys}, shapes in docs/keys.md).
 * Maps failures to what the CLI reports: {@link CouldNotRunException} when the service cannot be
 * reached or answers with a server error, {@link Refused} when it refuses the request (401, 403,
 * 404, 409, 422) with the service's own error message.
 */
final class KeysAdminClient {

    /** The service answered, and said no: the status and its error body. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String error;

        Refused(int status, String error, String message) {
            super(message);
            this.status = status;
            this.error = error;
        }

        boolean accessDenied() {
            return status == 401 || status == 403;
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final char[] token;
    private final HttpClient http;
    private final Duration timeout;

    KeysAdminClient(AdminApiOptions options) {
        this.base = options.baseUrl();
        this.token = options.token();
        this.timeout = options.timeout();
        this.http = ServiceConnection.httpClient(options.caCertificates, timeout);
    }

    JsonNode list() {
        return send("GET", "/v1/admin/keys", false);
    }

    JsonNode statusAll() {
        return send("GET", "/v1/admin/keys?view=status", false);
    }

    JsonNode status(String name) {
        return send("GET", "/v1/admin/keys/" + encode(name), false);
    }

    JsonNode rotate(String name) {
        return send("POST", "/v1/admin/keys/" + encode(name) + "/rotate", true);
    }

    /** Streams the NDJSON answer of a re-wrap: each progress line to {@code onProgress}; returns the result line. */
    JsonNode rewrap(String name, Consumer<JsonNode> onProgress) {
        HttpRequest request = request("POST", "/v1/admin/keys/" + encode(name) + "/rewrap", true)
                .header("Accept", "application/x-ndjson").build();
        HttpResponse<Stream<String>> response = exchange(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            String body;
            try (Stream<String> lines = response.body()) {
                body = String.join("\n", lines.toList());
            }
            throw failure(request, response.statusCode(), body);
        }
        JsonNode result = null;
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = parse(request, line);
                String event = node.path("event").asString();
                if ("progress".equals(event)) {
                    onProgress.accept(node);
                } else if ("result".equals(event)) {
                    result = node;
                } else if ("error".equals(event)) {
                    throw new Refused(500, node.path("error").asString(), node.path("message").asString());
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw new CouldNotRunException("the connection to " + base + " broke during the re-wrap: " + e.getCause().getMessage()
                    + "; the re-wrap may still be running on the service (check 'portcullis keys status " + name + "')");
        }
        if (result == null) {
            throw new CouldNotRunException("the service ended the re-wrap answer without a result line;"
                    + " check 'portcullis keys status " + name + "'");
        }
        return result;
    }

    private JsonNode send(String method, String path, boolean post) {
        HttpRequest request = request(method, path, post).header("Accept", "application/json").build();
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw failure(request, response.statusCode(), response.body());
        }
        return parse(request, response.body());
    }

    private HttpRequest.Builder request(String method, String path, boolean post) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Authorization", "Bearer " + new String(token));
        return post ? builder.POST(HttpRequest.BodyPublishers.noBody()) : builder.method(method, HttpRequest.BodyPublishers.noBody());
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return ServiceConnection.send(http, request, handler, base);
    }

    private RuntimeException failure(HttpRequest request, int status, String body) {
        String error = "http_" + status;
        String message = "HTTP " + status;
        try {
            JsonNode node = JSON.readTree(body);
            error = node.path("error").asString(error);
            message = node.path("message").asString(message);
        } catch (RuntimeException notJson) {
            // keep the status line only: a proxy's HTML error page is not worth printing
        }
        if (status >= 500 || status == 409) {
            return new CouldNotRunException(request.method() + " " + request.uri().getPath() + " failed: " + message
                    + " (HTTP " + status + ", " + error + ")");
        }
        return new Refused(status, error, message);
    }

    private static JsonNode parse(HttpRequest request, String body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            throw new CouldNotRunException(request.uri().getPath() + " answered something that is not JSON");
        }
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    void wipe() {
        Arrays.fill(token, '\0');
    }
}
