package dev.portcullis.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP client of the running service's admin API ({@code /v1/admin/**}), shared by the
 * commands that drive it. Maps failures to what the CLI reports: {@link CouldNotRunException}
 * when the service cannot be reached, answers with a server error or a conflict, or answers
 * something that is not JSON; {@link Refused} when it refuses the request (401, 403, 404, 422...)
 * with the service's own error code and message. Holds the admin token until {@link #close()},
 * which wipes it.
 */
public final class AdminApiClient implements AutoCloseable {

    /** The service answered, and said no: the status and its error body. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int status;
        public final String error;

        public Refused(int status, String error, String message) {
            super(message);
            this.status = status;
            this.error = error;
        }

        public boolean accessDenied() {
            return status == 401 || status == 403;
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final char[] token;
    private final HttpClient http;
    private final Duration timeout;

    public AdminApiClient(AdminApiOptions options) {
        this.base = options.baseUrl();
        this.token = options.token();
        this.timeout = options.timeout();
        this.http = ServiceConnection.httpClient(options.caCertificates, timeout);
    }

    /**
     * Runs {@code body} with a client of the admin API that {@code api} names, and wipes the token
     * afterwards. A refusal the body does not handle itself is printed to {@code err}: exit 1
     * when the caller is not allowed (401, 403), else 2.
     */
    public static int run(AdminApiOptions api, PrintWriter err, Function<AdminApiClient, Integer> body) {
        try (AdminApiClient client = new AdminApiClient(api)) {
            return body.apply(client);
        } catch (Refused refused) {
            err.println("portcullis: " + refused.getMessage() + " (HTTP " + refused.status + ", " + refused.error + ")");
            return refused.accessDenied() ? ExitCode.CHECK_FAILED : ExitCode.COULD_NOT_RUN;
        }
    }

    /** The service's base URL, for messages. */
    public URI base() {
        return base;
    }

    /** {@code GET pathAndQuery}: the JSON of a 200 answer. */
    public JsonNode get(String pathAndQuery) {
        return send(request(pathAndQuery).GET());
    }

    /** {@code POST path} without a body: the JSON of a 200 answer. */
    public JsonNode post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code POST path} with {@code body} as JSON: the JSON of a 200 answer. */
    public JsonNode post(String path, JsonNode body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)));
    }

    /**
     * {@code POST path} answered as a stream of lines ({@code accept}, e.g. NDJSON) that the caller
     * reads and closes; an answer other than 200 is read whole and reported as for {@link #get}.
     */
    public Stream<String> postForLines(String path, String accept) {
        HttpRequest request = request(path, accept).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Stream<String>> response = ServiceConnection.send(http, request, HttpResponse.BodyHandlers.ofLines(), base);
        if (response.statusCode() != 200) {
            String body;
            try (Stream<String> lines = response.body()) {
                body = String.join("\n", lines.toList());
            }
            throw failure(request, response.statusCode(), body);
        }
        return response.body();
    }

    /** A line (or body) of an answer as JSON; {@link CouldNotRunException} when it is not. */
    public JsonNode parse(String path, String text) {
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            throw new CouldNotRunException(path + " answered something that is not JSON");
        }
    }

    /** {@code value} encoded as one path segment (a key name may hold characters a path may not). */
    public static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        Arrays.fill(token, '\0');
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return request(pathAndQuery, "application/json");
    }

    private HttpRequest.Builder request(String pathAndQuery, String accept) {
        return HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout)
                .header("Accept", accept)
                .header("Authorization", "Bearer " + new String(token));
    }

    private JsonNode send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<String> response = ServiceConnection.send(http, request, HttpResponse.BodyHandlers.ofString(), base);
        if (response.statusCode() != 200) {
            throw failure(request, response.statusCode(), response.body());
        }
        return parse(request.uri().getPath(), response.body());
    }

    private static RuntimeException failure(HttpRequest request, int status, String body) {
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
}
