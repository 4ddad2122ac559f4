package dev.portcullis.scan.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.portcullis.scan.Finding;
import dev.portcullis.scan.GateDecision;
import dev.portcullis.scan.IacFinding;
import dev.portcullis.scan.ScanError;
import dev.portcullis.scan.ScanException;
import dev.portcullis.scan.Suppression;
import dev.portcullis.scan.Threshold;
import dev.portcullis.scan.VulnerabilityFinding;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gate: builds its input from the findings, asks {@code data.portcullis.ci.gate.result}, and
 * reads the answer strictly. Anything ill-shaped is a {@link ScanError#POLICY_FAILED}, never a
 * pass.
 */
public final class Gate {

    public static final String QUERY = "data.portcullis.ci.gate.result";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Set<String> SUPPRESSION_FIELDS = Set.of("id", "package", "file", "resource", "reason", "owner", "expires");

    private final OpaEvaluator opa;

    public Gate(OpaEvaluator opa) {
        this.opa = Objects.requireNonNull(opa, "opa cannot be null");
    }

    public GateDecision decide(Instant now, Threshold threshold, List<Finding> findings, List<Suppression> suppressions)
            throws ScanException {
        JsonNode value = opa.evaluate("gate", "ci", QUERY, input(now, threshold, findings, suppressions));
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new ScanException(ScanError.POLICY_FAILED, "the gate's answer is ill-shaped (" + e.getMessage() + "); failing closed", e);
        }
    }

    /** The gate's input document (see policies/ci/gate.rego). */
    public static ObjectNode input(Instant now, Threshold threshold, List<Finding> findings, List<Suppression> suppressions) {
        ObjectNode input = MAPPER.createObjectNode();
        input.put("now", now.toString());
        ObjectNode t = input.putObject("threshold");
        t.put("cvss", threshold.cvss());
        t.put("severity", threshold.label());
        ArrayNode fs = input.putArray("findings");
        for (Finding f : findings) {
            ObjectNode o = fs.addObject();
            switch (f) {
                case VulnerabilityFinding v -> {
                    o.put("kind", "vulnerability");
                    o.put("id", v.id());
                    o.put("package", v.packageUrl());
                    o.put("file", v.file());
                    if (v.cvss() == null) {
                        o.putNull("cvss");
                    } else {
                        o.put("cvss", v.cvss());
                    }
                    o.put("severity", v.severity());
                    o.put("known_exploited", v.knownExploited());
                    o.put("fixed_version", v.fixedVersion());
                }
                case IacFinding i -> {
                    o.put("kind", "iac");
                    o.put("id", i.id());
                    o.put("tool", i.tool());
                    o.put("file", i.file());
                    o.put("resource", i.resource());
                    o.put("severity", i.severity());
                    o.put("message", i.message());
                }
            }
        }
        ArrayNode ss = input.putArray("suppressions");
        for (Suppression s : suppressions) {
            ss.add(toJson(s));
        }
        return input;
    }

    static ObjectNode toJson(Suppression s) {
        ObjectNode o = MAPPER.createObjectNode();
        putIfPresent(o, "id", s.id());
        putIfPresent(o, "package", s.packageUrl());
        putIfPresent(o, "file", s.file());
        putIfPresent(o, "resource", s.resource());
        putIfPresent(o, "reason", s.reason());
        putIfPresent(o, "owner", s.owner());
        putIfPresent(o, "expires", s.expires());
        return o;
    }

    private static void putIfPresent(ObjectNode o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
    }

    static GateDecision parse(JsonNode v) {
        if (!v.path("pass").isBoolean()) {
            throw new IllegalArgumentException("'pass' is not a boolean");
        }
        List<String> reasons = new ArrayList<>();
        for (JsonNode r : array(v, "reasons")) {
            if (!r.isString()) {
                throw new IllegalArgumentException("a reason is not a string");
            }
            reasons.add(r.asString());
        }
        Map<String, List<String>> blocking = new LinkedHashMap<>();
        for (JsonNode b : array(v, "blocking")) {
            List<String> causes = new ArrayList<>();
            array(b, "causes").forEach(c -> causes.add(c.asString()));
            blocking.put(text(b, "key"), causes);
        }
        List<GateDecision.Suppressed> suppressed = new ArrayList<>();
        for (JsonNode s : array(v, "suppressed")) {
            suppressed.add(new GateDecision.Suppressed(text(s, "key"), suppression(s.path("suppression"))));
        }
        List<Suppression> expired = new ArrayList<>();
        for (JsonNode e : array(v, "expired_suppressions")) {
            expired.add(suppression(e.path("suppression")));
        }
        List<GateDecision.Invalid> invalid = new ArrayList<>();
        for (JsonNode i : array(v, "invalid_suppressions")) {
            List<String> problems = new ArrayList<>();
            array(i, "problems").forEach(p -> problems.add(p.asString()));
            invalid.add(new GateDecision.Invalid(suppression(i.path("suppression")), problems));
        }
        return new GateDecision(v.path("pass").asBoolean(), reasons, blocking, suppressed, expired, invalid);
    }

    private static JsonNode array(JsonNode node, String name) {
        JsonNode a = node.path(name);
        if (!a.isArray()) {
            throw new IllegalArgumentException("'" + name + "' is not an array");
        }
        return a;
    }

    private static String text(JsonNode node, String name) {
        JsonNode t = node.path(name);
        if (!t.isString()) {
            throw new IllegalArgumentException("'" + name + "' is not a string");
        }
        return t.asString();
    }

    private static Suppression suppression(JsonNode s) {
        return new Suppression(s.path("id").asString(null), s.path("package").asString(null),
                s.path("file").asString(null), s.path("resource").asString(null),
                s.path("reason").asString(null), s.path("owner").asString(null), s.path("expires").asString(null));
    }

    /**
     * Reads a suppressions file: {@code {"suppressions": [{id, package?, file?, resource?, reason,
     * owner, expires}]}}. Unknown members are refused (a misspelt {@code expiry} must not silently
     * become "no expiry"); missing required members are left for the gate to report.
     */
    public static List<Suppression> readSuppressions(Path file) throws ScanException {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readString(file));
        } catch (IOException | JacksonException e) {
            throw new ScanException(ScanError.SUPPRESSIONS_MALFORMED, "suppressions file " + file + " is not valid JSON: "
                    + (e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage()), e);
        }
        JsonNode list = root.path("suppressions");
        if (!root.isObject() || !list.isArray()) {
            throw new ScanException(ScanError.SUPPRESSIONS_MALFORMED, "suppressions file " + file
                    + " must be an object with a 'suppressions' array");
        }
        List<Suppression> result = new ArrayList<>();
        int index = 0;
        for (JsonNode s : list) {
            if (!s.isObject()) {
                throw new ScanException(ScanError.SUPPRESSIONS_MALFORMED, "suppression " + index + " in " + file + " is not an object");
            }
            for (String name : s.propertyNames()) {
                if (!SUPPRESSION_FIELDS.contains(name)) {
                    throw new ScanException(ScanError.SUPPRESSIONS_MALFORMED, "suppression " + index + " in " + file
                            + " has an unknown member '" + name + "'; known: " + String.join(", ", SUPPRESSION_FIELDS.stream().sorted().toList()));
                }
                if (!s.get(name).isString()) {
                    throw new ScanException(ScanError.SUPPRESSIONS_MALFORMED, "suppression " + index + " in " + file
                            + ": '" + name + "' must be a string");
                }
            }
            result.add(suppression(s));
            index++;
        }
        return result;
    }
}
