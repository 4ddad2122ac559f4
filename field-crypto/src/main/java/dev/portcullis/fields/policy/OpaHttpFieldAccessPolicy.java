package dev.portcullis.fields.policy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import dev.portcullis.fields.EncryptionMode;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldRule;
import dev.portcullis.fields.json.JsonPathSelector;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link FieldAccessPolicy} answered by Open Policy Agent's REST API: {@code POST
 * <opa>/v1/data/portcullis/fields/decision} with the input documented in
 * {@code policies/fields/fields.rego}.
 *
 * <p>Fails closed: a connection error, a timeout, a non-200 status, an undefined result, or a
 * result of the wrong shape (a missing member, a wrong type, an unknown mode or key scope, a
 * selector outside the supported JSONPath subset) is {@link FieldPolicyDecision#failClosed}
 * with a stable reason ({@code policy_unavailable}, {@code policy_timeout}, {@code policy_status_503},
 * {@code policy_undefined}, {@code policy_malformed}).
 */
public final class OpaHttpFieldAccessPolicy implements FieldAccessPolicy {

    /** Default time allowed for one decision, connection included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** The decision's path under {@code /v1/data}. */
    public static final String DECISION_PATH = "portcullis/fields/decision";
    /** The largest decision body read. */
    private static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final URI decisionUri;
    private final HttpClient client;
    private final Duration timeout;

    /** A policy client for the OPA at {@code opaAddress} (e.g. {@code http://127.0.0.1:8181}) with the default timeout. */
    public OpaHttpFieldAccessPolicy(URI opaAddress) {
        this(opaAddress, DEFAULT_TIMEOUT);
    }

    public OpaHttpFieldAccessPolicy(URI opaAddress, Duration timeout) {
        Objects.requireNonNull(opaAddress, "opaAddress cannot be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        String base = opaAddress.toString().replaceAll("/+$", "");
        this.decisionUri = URI.create(base + "/v1/data/" + DECISION_PATH);
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public FieldPolicyDecision decide(FieldPolicyRequest request) {
        byte[] body = JSON.writeValueAsBytes(input(request));
        HttpResponse<byte[]> response;
        try {
            response = client.send(HttpRequest.newBuilder(decisionUri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return FieldPolicyDecision.failClosed("policy_timeout");
        } catch (IOException e) {
            return FieldPolicyDecision.failClosed("policy_unavailable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FieldPolicyDecision.failClosed("policy_unavailable");
        }
        if (response.statusCode() != 200) {
            return FieldPolicyDecision.failClosed("policy_status_" + response.statusCode());
        }
        if (response.body().length > MAX_RESPONSE_BYTES) {
            return FieldPolicyDecision.failClosed("policy_malformed");
        }
        return interpret(response.body());
    }

    /** The OPA input document for {@code request}. */
    static ObjectNode input(FieldPolicyRequest request) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode input = root.putObject("input");
        input.put("operation", request.operation().wireName());
        input.put("tenant", request.tenant());
        input.put("document_type", request.documentType());
        ObjectNode principal = input.putObject("principal");
        principal.put("subject", request.caller().actor().subject());
        principal.put("client_id", request.caller().actor().clientId());
        principal.put("spiffe_id", request.caller().actor().spiffeId());
        ArrayNode roles = principal.putArray("roles");
        new TreeSet<>(request.caller().roles()).forEach(roles::add);
        ArrayNode tenants = principal.putArray("tenants");
        new TreeSet<>(request.caller().tenants()).forEach(tenants::add);
        return root;
    }

    /** Reads an OPA response body strictly; anything unexpected fails closed. */
    static FieldPolicyDecision interpret(byte[] body) {
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode result = root.get("result");
            if (result == null || result.isNull()) {
                return FieldPolicyDecision.failClosed("policy_undefined");
            }
            JsonNode allow = result.get("allow");
            JsonNode fields = result.get("fields");
            JsonNode readable = result.get("readable_classes");
            JsonNode reasons = result.get("reasons");
            if (allow == null || !allow.isBoolean() || fields == null || !fields.isArray() || readable == null
                    || !readable.isArray() || reasons == null || !reasons.isArray()) {
                return FieldPolicyDecision.failClosed("policy_malformed");
            }
            List<FieldRule> rules = new ArrayList<>();
            for (JsonNode field : fields) {
                FieldRule rule = rule(field);
                if (rule == null) {
                    return FieldPolicyDecision.failClosed("policy_malformed");
                }
                rules.add(rule);
            }
            Set<String> classes = new LinkedHashSet<>();
            for (JsonNode c : readable) {
                if (!c.isString()) {
                    return FieldPolicyDecision.failClosed("policy_malformed");
                }
                classes.add(c.asString());
            }
            List<String> why = new ArrayList<>();
            for (JsonNode r : reasons) {
                if (!r.isString()) {
                    return FieldPolicyDecision.failClosed("policy_malformed");
                }
                why.add(r.asString());
            }
            return new FieldPolicyDecision(allow.asBoolean(), rules, classes, why, false);
        } catch (JacksonException e) {
            return FieldPolicyDecision.failClosed("policy_malformed");
        }
    }

    private static FieldRule rule(JsonNode field) {
        if (!field.isObject()) {
            return null;
        }
        JsonNode path = field.get("path");
        JsonNode dataClass = field.get("class");
        JsonNode mode = field.get("mode");
        JsonNode key = field.get("key");
        JsonNode blindIndex = field.get("blind_index");
        if (path == null || !path.isString() || dataClass == null || !dataClass.isString() || mode == null
                || !mode.isString() || key == null || !key.isString() || blindIndex == null || !blindIndex.isBoolean()) {
            return null;
        }
        EncryptionMode m = EncryptionMode.fromWireName(mode.asString());
        FieldRule.KeyScope scope = FieldRule.KeyScope.fromWireName(key.asString());
        if (m == null || scope == null) {
            return null;
        }
        try {
            return new FieldRule(JsonPathSelector.parse(path.asString()), dataClass.asString(), m, scope,
                    blindIndex.asBoolean());
        } catch (FieldCryptoException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "OpaHttpFieldAccessPolicy[" + decisionUri + "]";
    }
}
