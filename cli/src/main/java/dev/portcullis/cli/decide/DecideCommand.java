package dev.portcullis.cli.decide;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.ExitCode;
import dev.portcullis.cli.OutputOptions;
import dev.portcullis.cli.ServiceConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code portcullis decide}: what would Portcullis answer this request? Asks the running service's
 * decision API ({@code POST /v1/decisions}) with the caller's token, so the answer comes from the
 * same token verification, policy and data as a real check, and is audited like one.
 */
@Command(name = "decide", mixinStandardHelpOptions = true,
        description = {"What-if: asks the running service (POST /v1/decisions) whether a request would be allowed,",
            "verifying the token and deciding with the live policy, as for a real check (and audited as one).",
            "Exit 0 when allowed, 1 when denied, 2 when no decision could be had."},
        footerHeading = "%nConnection:%n",
        footer = {
            "  --url or $" + ServiceConnection.URL_ENV + " (default " + ServiceConnection.DEFAULT_URL + "). The service answers",
            "  callers on its own host (loopback) and trusted proxies only."
        })
public final class DecideCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--token", paramLabel = "T",
            description = "The caller's bearer token. Other users of this machine can read command lines: --token-file keeps it out.")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the caller's bearer token.")
    Path tokenFile;

    @Option(names = "--method", paramLabel = "M", required = true, description = "The request's HTTP method, e.g. GET.")
    String method;

    @Option(names = "--path", paramLabel = "P", required = true,
            description = "The request's path, e.g. /orders/42; a query after '?' is sent as the query.")
    String path;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A request header (repeatable).")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--source-ip", paramLabel = "IP", description = "The client address the request would come from.")
    String sourceIp;

    @Option(names = "--url", paramLabel = "URL",
            description = "Base URL of the Portcullis service (default: $" + ServiceConnection.URL_ENV + ", else "
                    + ServiceConnection.DEFAULT_URL + ").")
    URI url;

    @Option(names = "--cacert", paramLabel = "PEM",
            description = "CA certificate(s) to trust for the service's TLS certificate (default: the JVM's trust store).")
    Path caCertificates;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Time limit, in seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 30;

    @Override
    public Integer call() {
        String bearer = bearer();
        URI base = ServiceConnection.baseUrl(url, bearer == null ? null : "a bearer token");
        Duration timeout = ServiceConnection.timeout(timeoutSeconds);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/decisions")).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(bearer).toString(), StandardCharsets.UTF_8)).build();
        HttpResponse<String> response = ServiceConnection.send(ServiceConnection.httpClient(caCertificates, timeout), request,
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), base);
        JsonNode answer = parse(response);
        if (response.statusCode() != 200) {
            return refused(response.statusCode(), answer);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            out.println(answer.toString());
        } else {
            printDecision(out, answer);
        }
        return answer.path("allow").asBoolean(false) ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    private String bearer() {
        if (token != null && tokenFile != null) {
            throw new CouldNotRunException("give the token with --token or --token-file, not both");
        }
        if (tokenFile == null) {
            return token == null || token.isBlank() ? null : token.strip();
        }
        try {
            String read = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            if (read.isEmpty()) {
                throw new CouldNotRunException("the token file " + tokenFile + " is empty");
            }
            return read;
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read the token from " + tokenFile + ": " + e.getMessage());
        }
    }

    private ObjectNode body(String bearer) {
        ObjectNode body = JSON.createObjectNode();
        body.put("method", method);
        int query = path.indexOf('?');
        body.put("path", query < 0 ? path : path.substring(0, query));
        if (query >= 0) {
            body.put("query", path.substring(query + 1));
        }
        if (!headers.isEmpty()) {
            ObjectNode named = body.putObject("headers");
            headers.forEach(named::put);
        }
        if (bearer != null) {
            body.put("token", bearer);
        }
        if (sourceIp != null) {
            body.put("source_ip", sourceIp);
        }
        return body;
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new CouldNotRunException("the service answered HTTP " + response.statusCode() + " with something that is not JSON");
        }
    }

    /**
     * No decision: 403 when this machine may not ask (1, like any refusal of access), 400 when the
     * service found the request malformed, 5xx when it could not decide (2, could not run).
     */
    private int refused(int status, JsonNode answer) {
        String why = answer.path("message").asString(answer.path("error").asString(
                answer.path("code").asString("HTTP " + status)));
        spec.commandLine().getErr().println("portcullis: no decision: " + why + " (HTTP " + status
                + ", decision " + answer.path("decision_id").asString("-") + ")");
        return status == 403 ? ExitCode.CHECK_FAILED : ExitCode.COULD_NOT_RUN;
    }

    private void printDecision(PrintWriter out, JsonNode answer) {
        boolean allow = answer.path("allow").asBoolean(false);
        String subject = answer.path("subject").isString() ? answer.path("subject").asString() : "anonymous";
        out.println((allow ? "ALLOW" : "DENY") + " " + answer.path("status").asInt() + " " + method.toUpperCase(java.util.Locale.ROOT)
                + " " + path + " as " + subject);
        out.println("  code:     " + answer.path("code").asString());
        StringBuilder reasons = new StringBuilder();
        answer.path("reasons").forEach(r -> reasons.append(reasons.isEmpty() ? "" : ", ").append(r.asString()));
        out.println("  reasons:  " + reasons);
        out.println("  decision: " + answer.path("decision_id").asString());
    }
}
