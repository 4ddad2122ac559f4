package dev.portcullis.bench.policy;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.OpaPolicy;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * One authorization decision of {@code policies/authz}, asked the two ways issue 3 names: over
 * OPA's REST API as the service asks today ({@code POST /v1/data/portcullis/authz/decision} on a
 * keep-alive connection of the JDK's {@code HttpClient}, JSON both ways), and evaluated in-process
 * from the same Rego compiled to Wasm by {@code opa build -t wasm}, run by {@code opa-java-wasm}
 * on Chicory (Wasm translated to JVM bytecode at load time). Same input document, same route
 * table and block list; each side serializes the input and reads the answer into a tree, as the
 * service's engine does. The setup refuses to run unless both give the same decision for an
 * allowed, a denied and a blocked caller.
 *
 * <p>Needs a running OPA serving {@code policies/} and the compiled module; {@code bin/bench
 * policy} provides both. Properties: {@code portcullis.bench.opa-url},
 * {@code portcullis.bench.policy-wasm}, {@code portcullis.bench.authz-data}. The OPA side's
 * time includes OPA's own work (the call waits for it); with two threads on this two-core
 * machine, OPA competes for the same cores, so the two-thread throughput is what the machine
 * can decide per second either way. {@code opaRestApacheClassic} makes the same REST call through
 * Apache HttpClient 5's classic (blocking) client. Both are called from JMH's platform threads;
 * the service calls from virtual threads, where the classic client's twofold advantage here did
 * not appear (docs/benchmarks.md, "The caller's side of the REST call").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xmx256m"})
public class PolicyEvaluationBenchmark {

    private static final String ENTRYPOINT = "portcullis/authz/decision";

    /** Which caller is decided: an allowed one, one without the route's role, one on the block list. */
    @Param({"alice", "bob", "mallory"})
    String caller;

    private final ObjectMapper json = new ObjectMapper();
    private HttpClient http;
    private CloseableHttpClient apache;
    private URI decisionUri;
    private Map<String, Object> input;
    private byte[] wasmModule;
    private String data;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        URI opa = URI.create(System.getProperty("portcullis.bench.opa-url", "http://127.0.0.1:8181"));
        decisionUri = opa.resolve("/v1/data/" + ENTRYPOINT);
        // Built as the service builds its client (CoreConfiguration.httpClient).
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        apache = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(64).setMaxConnPerRoute(64).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(500)).build())
                .build();
        wasmModule = Files.readAllBytes(Path.of(required("portcullis.bench.policy-wasm")));
        JsonNode routes = json.readTree(Files.readString(Path.of(required("portcullis.bench.authz-data"))));
        Map<String, Object> blocklist = Map.of("entries", Map.of(
                "subject:mallory", Map.of("until", "2099-01-01T00:00:00Z"),
                "ip:203.0.113.9", Map.of("until", "2099-01-01T00:00:00Z"),
                "client:old-batch-job", Map.of("until", "2001-01-01T00:00:00Z")));
        // OPA gets the block list over its data API, as the anomaly responder pushes it.
        put(opa.resolve("/v1/data/portcullis/blocklist"), json.writeValueAsBytes(blocklist));
        data = json.writeValueAsString(Map.of("authz", routes, "portcullis", Map.of("blocklist", blocklist)));
        input = input(caller);

        WasmSide check = new WasmSide();
        check.setUp(this);
        for (String who : List.of("alice", "bob", "mallory")) {
            JsonNode byOpa = askOpa(input(who));
            JsonNode byWasm = check.evaluate(input(who));
            if (byOpa == null || !byOpa.equals(byWasm) || !byOpa.equals(askOpaApache(input(who)))) {
                throw new IllegalStateException("OPA and the Wasm module disagree for " + who + ": " + byOpa
                        + " vs " + byWasm);
            }
        }
    }

    /** One in-process evaluator per benchmark thread: a Wasm instance is not thread-safe. */
    @State(Scope.Thread)
    public static class WasmSide {
        private OpaPolicy policy;
        private ObjectMapper json;

        @Setup(Level.Trial)
        public void setUp(PolicyEvaluationBenchmark shared) {
            json = shared.json;
            policy = OpaPolicy.builder()
                    .withPolicy(shared.wasmModule)
                    .addBuiltins(OpaBuiltin.from("time.parse_rfc3339_ns", PolicyEvaluationBenchmark::parseRfc3339Ns))
                    .build()
                    .entrypoint(ENTRYPOINT);
            policy.data(shared.data);
        }

        JsonNode evaluate(Map<String, Object> input) throws IOException {
            JsonNode results = json.readTree(policy.evaluate(json.writeValueAsString(input)));
            return results.isArray() && results.size() == 1 ? results.get(0).get("result") : null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        http.close();
        apache.close();
    }

    @Benchmark
    public JsonNode opaRest() throws IOException, InterruptedException {
        return askOpa(input);
    }

    @Benchmark
    public JsonNode opaRestApacheClassic() throws IOException {
        return askOpaApache(input);
    }

    @Benchmark
    public JsonNode wasmInProcess(WasmSide wasm) throws IOException {
        return wasm.evaluate(input);
    }

    private JsonNode askOpa(Map<String, Object> document) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(decisionUri)
                .timeout(Duration.ofMillis(500))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(Map.of("input", document))))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("OPA answered HTTP " + response.statusCode());
        }
        return json.readTree(response.body()).get("result");
    }

    private JsonNode askOpaApache(Map<String, Object> document) throws IOException {
        HttpPost post = new HttpPost(decisionUri);
        post.setEntity(new ByteArrayEntity(json.writeValueAsBytes(Map.of("input", document)), ContentType.APPLICATION_JSON));
        return apache.execute(post, response -> {
            if (response.getCode() != 200) {
                throw new IllegalStateException("OPA answered HTTP " + response.getCode());
            }
            return json.readTree(EntityUtils.toByteArray(response.getEntity())).get("result");
        });
    }

    private void put(URI uri, byte[] body) throws IOException, InterruptedException {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("OPA refused the block list: HTTP " + response.statusCode());
        }
    }

    /**
     * The input the service builds (PolicyInputs) for a check of {@code GET /orders/1} through
     * nginx with a Keycloak token of the realm's shape; credentials never enter it.
     */
    private static Map<String, Object> input(String who) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("accept", "*/*");
        headers.put("host", "127.0.0.1:8088");
        headers.put("user-agent", "curl/7.88.1");
        headers.put("x-forwarded-for", "127.0.0.1");
        headers.put("x-request-id", "5f0c7c2a9d7e4b5c8f1e2d3c4b5a6978");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", "01M91AZE45Q22G0001M91AZE45");
        request.put("protocol", "nginx");
        request.put("method", "GET");
        request.put("path", "/orders/1");
        request.put("query", "");
        request.put("source_ip", "127.0.0.1");
        request.put("headers", headers);
        Map<String, Object> principal = new LinkedHashMap<>();
        principal.put("authenticated", true);
        principal.put("subject", who);
        principal.put("client_id", "portcullis-cli");
        principal.put("issuer", "http://127.0.0.1:8180/realms/portcullis");
        principal.put("roles", who.equals("bob")
                ? List.of("default-roles-portcullis", "offline_access", "uma_authorization")
                : List.of("default-roles-portcullis", "offline_access", "order-reader", "uma_authorization"));
        principal.put("scopes", List.of("email", "openid", "profile"));
        principal.put("spiffe_id", null);
        principal.put("token_id", "onrtac:4c1e8f3a-27b1-4d0f-9a53-6f1d2b7e9c10");
        principal.put("session_id", "6d1b0d5e-3f7a-4c2e-9b8d-1a2b3c4d5e6f");
        principal.put("auth_methods", List.of("jwt"));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("request", request);
        document.put("principal", principal);
        document.put("now_ns", 1_796_000_000_000_000_000L);
        return document;
    }

    /**
     * {@code time.parse_rfc3339_ns}, which OPA's Wasm target leaves to the host: nanoseconds since
     * the epoch as an exact integer, as OPA's Go implementation returns them.
     */
    private static JsonNode parseRfc3339Ns(com.styra.opa.wasm.OpaWasm instance, JsonNode value) {
        try {
            var at = OffsetDateTime.parse(value.asText()).toInstant();
            return JsonNodeFactory.instance.numberNode(BigInteger.valueOf(at.getEpochSecond())
                    .multiply(BigInteger.valueOf(1_000_000_000L)).add(BigInteger.valueOf(at.getNano())));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time.parse_rfc3339_ns: not an RFC 3339 time", e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("set -D" + property + " (bin/bench policy does)");
        }
        return value;
    }
}
