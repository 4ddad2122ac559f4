package dev.portcullis.authz.admin.anomalies;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.portcullis.anomaly.admin.AnomalyAdmin;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.audit.Actor;
import dev.portcullis.authz.admin.AdminRequests;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/admin/anomalies}: the alerts of the service's online anomaly detection, through
 * {@link AnomalyAdmin}, in the shapes docs/anomaly-detection.md gives:
 * <ul>
 *   <li>{@code GET /v1/admin/anomalies?all=false&limit=100} → {@code {"alerts": [RECORD...], "count": n}};
 *   <li>{@code POST /v1/admin/anomalies/{id}/ack} {@code {"note": "..."}} → the acknowledged RECORD,
 *       404 for an unknown id, 400 for a bad note; recorded as an {@code admin.action} by the
 *       admin <em>before</em> it is stored (503 when that record cannot be written: nothing stored);
 *   <li>{@code GET /v1/admin/anomalies/status} → the online detector's position, lag and counters;
 *   <li>{@code GET /v1/admin/anomalies/blocks} → the block-list response's unexpired blocks;
 *   <li>{@code POST /v1/admin/anomalies/unblock} {@code {"key": "ip:203.0.113.7"}} → lifts that block
 *       (audited first), 404 when there is none, 409 {@code blocklist_off} when the response is off.
 * </ul>
 * 404 {@code not_enabled} unless {@code portcullis.anomaly.enabled=true}.
 */
@RestController
public final class AnomaliesAdminController {

    private static final Logger log = LoggerFactory.getLogger(AnomaliesAdminController.class);
    private static final Pattern ID = Pattern.compile("[0-9A-HJKMNP-TV-Z]{26}");
    /** A block-list key: an entity kind, a colon, a value without control characters. */
    private static final Pattern BLOCK_KEY = Pattern.compile("(subject|client|token|spiffe|ip):[^\\p{Cntrl}]{1,1024}");
    private static final int MAX_BODY_BYTES = 8 * 1024;
    private static final int MAX_LIMIT = 10_000;

    private static final String PROPERTY = "portcullis.anomaly.enabled";

    private final ObjectProvider<AnomalyAdmin> admin;
    private final AdminRequests requests;

    public AnomaliesAdminController(ObjectProvider<AnomalyAdmin> admin, AdminRequests requests) {
        this.admin = Objects.requireNonNull(admin, "admin cannot be null");
        this.requests = Objects.requireNonNull(requests, "requests cannot be null");
    }

    @GetMapping("/v1/admin/anomalies")
    public void list(@RequestParam(name = "all", defaultValue = "false") String all,
            @RequestParam(name = "limit", defaultValue = "100") String limit, HttpServletResponse response) throws IOException {
        AnomalyAdmin anomalies = admin.getIfAvailable();
        if (requests.notEnabled(anomalies, PROPERTY, response)) {
            return;
        }
        if (!"true".equals(all) && !"false".equals(all)) {
            requests.writeJson(response, 400, AdminRequests.error("bad_request", "all must be true or false"));
            return;
        }
        int max;
        try {
            max = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            max = -1;
        }
        if (max < 1 || max > MAX_LIMIT) {
            requests.writeJson(response, 400, AdminRequests.error("bad_request", "limit must be from 1 to " + MAX_LIMIT));
            return;
        }
        writeRaw(response, 200, anomalies.listJson(Boolean.parseBoolean(all), max));
    }

    @GetMapping("/v1/admin/anomalies/status")
    public void status(HttpServletResponse response) throws IOException {
        AnomalyAdmin anomalies = admin.getIfAvailable();
        if (requests.notEnabled(anomalies, PROPERTY, response)) {
            return;
        }
        writeRaw(response, 200, anomalies.statusJson());
    }

    @PostMapping("/v1/admin/anomalies/{id}/ack")
    public void acknowledge(@PathVariable("id") String id, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        AnomalyAdmin anomalies = admin.getIfAvailable();
        if (requests.notEnabled(anomalies, PROPERTY, response)) {
            return;
        }
        if (!ID.matcher(id).matches()) {
            requests.writeJson(response, 404, AdminRequests.error("not_found", "no alert has that id"));
            return;
        }
        Optional<String> note = body(request, response, this::note);
        if (note == null) {
            return; // answered
        }
        Actor actor = AdminRequests.actor(request);
        String by = AdminRequests.callerName(actor);
        Optional<AlertRecord> acknowledged;
        try {
            acknowledged = anomalies.acknowledge(id, by, note.orElse(null));
        } catch (IllegalArgumentException e) {
            requests.writeJson(response, 400, AdminRequests.error("bad_request", e.getMessage()));
            return;
        } catch (RuntimeException e) {
            // The acknowledgement could not be audited (or the store failed): nothing was stored.
            log.error("acknowledging alert {} by {} failed: {}", id, by, e.toString());
            requests.writeJson(response, 503, AdminRequests.error("unavailable", "the acknowledgement could not be recorded"));
            return;
        }
        if (acknowledged.isEmpty()) {
            requests.writeJson(response, 404, AdminRequests.error("not_found", "no alert has that id"));
            return;
        }
        writeRaw(response, 200, AnomalyAdmin.toJson(acknowledged.get()));
    }

    @GetMapping("/v1/admin/anomalies/blocks")
    public void blocks(HttpServletResponse response) throws IOException {
        AnomalyAdmin anomalies = admin.getIfAvailable();
        if (requests.notEnabled(anomalies, PROPERTY, response) || blocklistOff(anomalies, response)) {
            return;
        }
        String blocks;
        try {
            blocks = anomalies.blocksJson();
        } catch (IOException e) {
            log.error("listing the block list failed: {}", e.toString());
            requests.writeJson(response, 503, AdminRequests.error("unavailable", "OPA could not be asked for its block list"));
            return;
        }
        writeRaw(response, 200, blocks);
    }

    @PostMapping("/v1/admin/anomalies/unblock")
    public void unblock(HttpServletRequest request, HttpServletResponse response) throws IOException {
        AnomalyAdmin anomalies = admin.getIfAvailable();
        if (requests.notEnabled(anomalies, PROPERTY, response) || blocklistOff(anomalies, response)) {
            return;
        }
        String key = body(request, response, this::blockKey);
        if (key == null) {
            return; // answered
        }
        Actor actor = AdminRequests.actor(request);
        String by = AdminRequests.callerName(actor);
        boolean lifted;
        try {
            lifted = anomalies.unblock(key, by);
        } catch (IOException | RuntimeException e) {
            // Not audited (nothing changed), or OPA refused the update (audited as a failure): the block stays.
            log.error("lifting block {} by {} failed: {}", key, by, e.toString());
            requests.writeJson(response, 503, AdminRequests.error("unavailable", "the block could not be lifted"));
            return;
        }
        if (!lifted) {
            requests.writeJson(response, 404, AdminRequests.error("not_found", "no block has that key"));
            return;
        }
        requests.writeJson(response, 200, java.util.Map.of("unblocked", key));
    }

    /**
     * The request body read (bounded) and parsed by {@code parse} (which never returns null), or
     * null when the answer was written instead: 413 for a body over the limit, 400 with the
     * parser's message.
     */
    private <T> T body(HttpServletRequest request, HttpServletResponse response, Function<byte[], T> parse)
            throws IOException {
        try {
            return Objects.requireNonNull(parse.apply(AdminRequests.body(request, MAX_BODY_BYTES)));
        } catch (AdminRequests.BodyTooLargeException e) {
            requests.writeJson(response, 413, AdminRequests.error("too_large", e.getMessage()));
        } catch (IllegalArgumentException e) {
            requests.writeJson(response, 400, AdminRequests.error("bad_request", e.getMessage()));
        }
        return null;
    }

    private boolean blocklistOff(AnomalyAdmin anomalies, HttpServletResponse response) throws IOException {
        if (anomalies.blocklistEnabled()) {
            return false;
        }
        requests.writeJson(response, 409, AdminRequests.error("blocklist_off",
                "the block-list response is off (portcullis.anomaly.responses.blocklist.mode)"));
        return true;
    }

    /** The {@code key} of {@code {"key": "<kind>:<value>"}}, and nothing else. */
    private String blockKey(byte[] body) {
        JsonNode root;
        try {
            root = requests.json().readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the body is not valid JSON");
        }
        if (root == null || !root.isObject() || root.size() != 1 || !root.path("key").isString()
                || !BLOCK_KEY.matcher(root.path("key").asString()).matches()) {
            throw new IllegalArgumentException("the body must be {\"key\": \"<subject|client|token|spiffe|ip>:<value>\"}");
        }
        return root.path("key").asString();
    }

    /** The optional {@code note} of an empty body, {@code {}} or {@code {"note": "..."}}. */
    private Optional<String> note(byte[] body) {
        if (body.length == 0) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = requests.json().readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the body must be a JSON object {\"note\": \"...\"}");
        }
        if (root == null || !root.isObject() || !Set.of("note").containsAll(root.propertyNames())) {
            throw new IllegalArgumentException("the body must be a JSON object {\"note\": \"...\"} and nothing else");
        }
        JsonNode note = root.get("note");
        if (note == null || note.isNull()) {
            return Optional.empty();
        }
        if (!note.isString()) {
            throw new IllegalArgumentException("note must be a string");
        }
        return Optional.of(note.stringValue());
    }

    private static void writeRaw(HttpServletResponse response, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
