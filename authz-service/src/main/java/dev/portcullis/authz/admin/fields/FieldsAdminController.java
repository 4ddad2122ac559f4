package dev.portcullis.authz.admin.fields;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portcullis.audit.Actor;
import dev.portcullis.authz.admin.AdminRequests;
import dev.portcullis.fields.Caller;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoService;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/admin/fields/forget-subject} {@code {"tenant", "subject"}}: crypto-shredding of one
 * data subject (docs/field-encryption.md): their key is destroyed, then {@code subject.forgotten} is
 * recorded with the admin as actor and the subject only as SHA-256 of tenant and subject. Admin
 * credentials only. Answers {@code {"destroyed", "key_id", "audit_event_id"}}; {@code destroyed}
 * is false when the subject had no key (also audited). If the event cannot be recorded the answer
 * is 503 {@code audit_failed} although the key IS destroyed (the library's rule: no false
 * evidence, and no silent destruction). 404 {@code not_enabled} unless {@code portcullis.fields.enabled=true}.
 */
@RestController
public final class FieldsAdminController {

    private static final Logger log = LoggerFactory.getLogger(FieldsAdminController.class);
    private static final int MAX_BODY_BYTES = 16 * 1024;
    private static final Set<String> MEMBERS = Set.of("tenant", "subject");

    private final ObjectProvider<FieldCryptoService> service;
    private final AdminRequests requests;

    public FieldsAdminController(ObjectProvider<FieldCryptoService> service, AdminRequests requests) {
        this.service = Objects.requireNonNull(service, "service cannot be null");
        this.requests = Objects.requireNonNull(requests, "requests cannot be null");
    }

    @PostMapping("/v1/admin/fields/forget-subject")
    public void forgetSubject(HttpServletRequest request, HttpServletResponse response) throws IOException {
        FieldCryptoService fields = service.getIfAvailable();
        if (requests.notEnabled(fields, "portcullis.fields.enabled", response)) {
            return;
        }
        JsonNode root;
        try {
            root = requests.json().readTree(AdminRequests.body(request, MAX_BODY_BYTES));
        } catch (AdminRequests.BodyTooLargeException e) {
            requests.writeJson(response, 413, AdminRequests.error("too_large", e.getMessage()));
            return;
        } catch (JacksonException e) {
            requests.writeJson(response, 400, AdminRequests.error("malformed_request", "the request body is not valid JSON"));
            return;
        }
        if (root == null || !root.isObject() || !MEMBERS.containsAll(root.propertyNames())
                || !root.path("tenant").isString() || !root.path("subject").isString()
                || root.path("subject").stringValue().isEmpty()) {
            requests.writeJson(response, 400, AdminRequests.error("malformed_request",
                    "the body must be {\"tenant\": string, \"subject\": non-empty string} and nothing else"));
            return;
        }
        Actor actor = AdminRequests.actor(request);
        FieldCryptoService.ForgetResult result;
        try {
            result = fields.forgetSubject(root.get("tenant").stringValue(), root.get("subject").stringValue(),
                    new Caller(actor, AdminRequests.principal().roles(), AdminRequests.principal().tenants()), AdminRequests.requestId(request));
        } catch (FieldCryptoException e) {
            log.warn("forget-subject by {} failed: {} ({})", AdminRequests.callerName(actor), e.code(), e.getMessage());
            int status = e.code() == FieldCryptoException.Code.INVALID_ARGUMENT ? 400 : 503;
            requests.writeJson(response, status, AdminRequests.error(e.code().name().toLowerCase(Locale.ROOT),
                    e.code() == FieldCryptoException.Code.AUDIT_FAILED
                            ? "the subject's key is destroyed, but the event could not be recorded" : null));
            return;
        } catch (RuntimeException e) {
            // The key store failed (the library audited it as a failure): nothing was destroyed for sure.
            log.error("forget-subject by {} failed in the key store: {}", AdminRequests.callerName(actor), e.toString());
            requests.writeJson(response, 503, AdminRequests.error("key_store_error", null));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("destroyed", result.destroyed());
        body.put("key_id", result.keyId());
        body.put("audit_event_id", result.auditEventId());
        requests.writeJson(response, 200, body);
    }
}
