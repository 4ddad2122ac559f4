package dev.portcullis.authz.admin.keys;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.admin.AdminRequests;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.admin.KeyAdminJson;
import dev.portcullis.keys.admin.KeyAdministration;
import dev.portcullis.keys.rotation.KeyStatus;
import dev.portcullis.keys.rotation.RewrapReport;
import dev.portcullis.keys.rotation.RotationOutcome;

/**
 * {@code /v1/admin/keys}: the managed keys for the {@code portcullis keys} CLI, exactly as
 * docs/keys.md specifies (shapes from {@link KeyAdminJson}). Admin credentials only (the security
 * chain). Rotating and re-wrapping are audited twice: by the rotation service ({@code key.rotated},
 * {@code key.rewrapped}, {@code key.rotation_failed}, with the caller as actor) and here as one
 * {@code admin.action} per request, whatever its outcome, so that a refused request (unknown key,
 * another instance rotating) leaves a trace too.
 *
 * <p>The re-wrap answers NDJSON ({@code application/x-ndjson}), one progress line per batch and a
 * result line, flushed as they come. An error before the first line is an ordinary JSON error with
 * its status; after it, an {@code {"event": "error"}} line (the status is already sent).
 *
 * <p>Mapped on every instance; 404 {@code not_enabled} unless {@code portcullis.keys.enabled=true}.
 */
@RestController
public final class KeysAdminController {

    private static final Logger log = LoggerFactory.getLogger(KeysAdminController.class);
    static final String NDJSON = "application/x-ndjson";
    private static final String PROPERTY = "portcullis.keys.enabled";

    private final ObjectProvider<KeyAdministration> administration;
    private final AdminRequests requests;
    private final Clock clock;

    public KeysAdminController(ObjectProvider<KeyAdministration> administration, AdminRequests requests, Clock clock) {
        this.administration = Objects.requireNonNull(administration, "administration cannot be null");
        this.requests = Objects.requireNonNull(requests, "requests cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    /** {@code GET /v1/admin/keys}, or with {@code view=status} every Transit key's status read from Vault now. */
    @GetMapping("/v1/admin/keys")
    public void list(@RequestParam(name = "view", required = false) String view, HttpServletResponse response)
            throws IOException {
        KeyAdministration keys = administration.getIfAvailable();
        if (requests.notEnabled(keys, PROPERTY, response)) {
            return;
        }
        if (view == null || view.isEmpty()) {
            requests.writeJson(response, 200, KeyAdminJson.list(keys.list()));
            return;
        }
        if (!"status".equals(view)) {
            requests.writeJson(response, 400, AdminRequests.error("bad_request", "view must be 'status' or absent"));
            return;
        }
        try {
            requests.writeJson(response, 200, KeyAdminJson.statusAll(keys.statusAll(), clock.instant()));
        } catch (KeyException e) {
            writeError(response, e);
        }
    }

    /** {@code GET /v1/admin/keys/{name}}: the key's status, read from Vault now. */
    @GetMapping("/v1/admin/keys/{name}")
    public void status(@PathVariable("name") String name, HttpServletResponse response) throws IOException {
        KeyAdministration keys = administration.getIfAvailable();
        if (requests.notEnabled(keys, PROPERTY, response)) {
            return;
        }
        try {
            requests.writeJson(response, 200, KeyAdminJson.status(keys.status(name), clock.instant()));
        } catch (KeyException e) {
            writeError(response, e);
        }
    }

    /** {@code POST /v1/admin/keys/{name}/rotate}: rotate now, re-wrap, raise the minimum. */
    @PostMapping("/v1/admin/keys/{name}/rotate")
    public void rotate(@PathVariable("name") String name, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        KeyAdministration keys = administration.getIfAvailable();
        if (requests.notEnabled(keys, PROPERTY, response)) {
            return;
        }
        Actor actor = AdminRequests.actor(request);
        RotationOutcome outcome;
        KeyStatus status;
        try {
            outcome = keys.rotate(name, actor);
            status = keys.status(name);
        } catch (KeyException e) {
            audited(actor, "rotate-key", name, Outcome.FAILURE, e.reason().name().toLowerCase(java.util.Locale.ROOT), Map.of());
            writeError(response, e);
            return;
        } catch (AuditException e) {
            log.error("rotation of {} requested by {}: its audit record could not be written: {}", name,
                    AdminRequests.callerName(actor), e.getMessage());
            requests.writeJson(response, 503, AdminRequests.error("audit_failed",
                    "the rotation's audit record could not be written; check the key's status"));
            return;
        }
        if (audited(actor, "rotate-key", name, Outcome.SUCCESS, null,
                Map.of("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT), "latest_version", status.latestVersion()))) {
            requests.writeJson(response, 200, KeyAdminJson.rotated(name, outcome, status, clock.instant()));
        } else {
            requests.writeJson(response, 503, AdminRequests.error("audit_failed",
                    "the key was rotated but this request's audit record could not be written"));
        }
    }

    /** {@code POST /v1/admin/keys/{name}/rewrap}: NDJSON progress, then the result. */
    @PostMapping("/v1/admin/keys/{name}/rewrap")
    public void rewrap(@PathVariable("name") String name, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        KeyAdministration keys = administration.getIfAvailable();
        if (requests.notEnabled(keys, PROPERTY, response)) {
            return;
        }
        Actor actor = AdminRequests.actor(request);
        NdjsonStream stream = new NdjsonStream(response, requests);
        RewrapReport report;
        try {
            // Unknown keys and keys that are not Transit keys are refused before anything streams.
            keys.status(name);
            report = keys.rewrap(name, actor, (done, failed, total) -> stream.line(KeyAdminJson.progress(done, failed, total)));
        } catch (KeyException e) {
            audited(actor, "rewrap-key", name, Outcome.FAILURE, e.reason().name().toLowerCase(java.util.Locale.ROOT), Map.of());
            if (stream.started()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("event", "error");
                line.putAll(KeyAdminJson.error(e));
                stream.line(line);
            } else {
                writeError(response, e);
            }
            return;
        } catch (AuditException e) {
            log.error("re-wrap of {} requested by {}: an audit record could not be written: {}", name,
                    AdminRequests.callerName(actor), e.getMessage());
            Map<String, Object> error = AdminRequests.error("audit_failed", "an audit record of the re-wrap could not be written");
            if (stream.started()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("event", "error");
                line.putAll(error);
                stream.line(line);
            } else {
                requests.writeJson(response, 503, error);
            }
            return;
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("to_version", report.toVersion());
        attributes.put("rewrapped", report.rewrapped());
        attributes.put("failed", report.failed());
        attributes.put("complete", report.complete());
        if (audited(actor, "rewrap-key", name, report.complete() ? Outcome.SUCCESS : Outcome.FAILURE,
                report.complete() ? null : "incomplete", attributes)) {
            stream.line(KeyAdminJson.rewrapResult(report));
        } else {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", "error");
            line.putAll(AdminRequests.error("audit_failed", "the re-wrap ran but this request's audit record could not be written"));
            stream.line(line);
        }
    }

    private boolean audited(Actor actor, String action, String key, Outcome outcome, String reason, Map<String, ?> attributes) {
        return requests.record(actor, action, "key:" + key, outcome, reason, attributes) != null;
    }

    private void writeError(HttpServletResponse response, KeyException e) throws IOException {
        requests.writeJson(response, KeyAdminJson.httpStatus(e), KeyAdminJson.error(e));
    }

    /** NDJSON lines written and flushed one at a time; the 200 and the content type go out with the first. */
    private static final class NdjsonStream {
        private final HttpServletResponse response;
        private final AdminRequests requests;
        private OutputStream out;
        private boolean broken;

        NdjsonStream(HttpServletResponse response, AdminRequests requests) {
            this.response = response;
            this.requests = requests;
        }

        boolean started() {
            return out != null;
        }

        void line(Map<String, Object> value) {
            if (broken) {
                return;
            }
            try {
                if (out == null) {
                    response.setStatus(200);
                    response.setContentType(NDJSON);
                    response.setHeader("Cache-Control", "no-store");
                    out = response.getOutputStream();
                }
                out.write(requests.json().writeValueAsBytes(value));
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                // The client went away. The re-wrap goes on to its end (it is audited, and the next
                // run would resume it anyway); there is just nobody left to tell.
                broken = true;
                log.info("the client of a re-wrap went away: {}", e.getMessage());
            }
        }
    }
}
