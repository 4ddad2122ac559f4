package dev.portcullis.authz.fields;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
import dev.portcullis.authz.identity.Principal;
import dev.portcullis.fields.Caller;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoService;
import dev.portcullis.fields.FieldReport;
import dev.portcullis.fields.json.JsonSpans;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/fields/encrypt} and {@code POST /v1/fields/decrypt}: field-level encryption of
 * JSON documents for any verified caller, through {@link FieldCryptoService} (docs/field-encryption.md).
 * The caller's verified principal (subject, client, SPIFFE ID and roles) is who the field policy
 * ({@code policies/fields}, in OPA) decides about; there is no other way to say who one is. Every
 * call is audited by the service ({@code field.encrypt} / {@code field.decrypt}: counts, classes,
 * modes, never values); a call whose event cannot be recorded returns nothing.
 *
 * <p>The document travels as a JSON value whose bytes are kept: the {@code document} member of
 * the request is taken as its exact byte span, and the result document is spliced into the answer
 * as bytes, so every byte outside the encrypted fields (order, spacing, number spelling) is as sent.
 *
 * <p>Errors carry the stable code only ({@code {"error": "<code>"}}); the precise message, which
 * names field paths, goes to the service log. Status per code as docs/field-encryption.md lists:
 * 400 bad request, 403 policy denied (a decrypt the policy refuses answers 403 without the
 * document), 422 ciphertext problems, 503 Vault, OPA or the audit log unavailable.
 *
 * <p>Mapped on every instance; 404 {@code not_enabled} unless {@code portcullis.fields.enabled=true}.
 */
@RestController
public final class FieldsController {

    private static final Logger log = LoggerFactory.getLogger(FieldsController.class);
    private static final Set<String> ENCRYPT_MEMBERS = Set.of("tenant", "document_type", "record_id", "subject", "document");
    private static final Set<String> DECRYPT_MEMBERS = Set.of("tenant", "document_type", "record_id", "document");

    private static final String PROPERTY = "portcullis.fields.enabled";

    private final ObjectProvider<FieldCryptoService> service;
    private final AdminRequests requests;
    private final ObjectProvider<FieldsLimits> limits;

    public FieldsController(ObjectProvider<FieldCryptoService> service, AdminRequests requests,
            ObjectProvider<FieldsLimits> limits) {
        this.service = Objects.requireNonNull(service, "service cannot be null");
        this.requests = Objects.requireNonNull(requests, "requests cannot be null");
        this.limits = Objects.requireNonNull(limits, "limits cannot be null");
    }

    @PostMapping("/v1/fields/encrypt")
    public void encrypt(HttpServletRequest request, HttpServletResponse response) throws IOException {
        FieldCryptoService fields = service.getIfAvailable();
        if (requests.notEnabled(fields, PROPERTY, response)) {
            return;
        }
        Envelope envelope;
        try {
            envelope = envelope(request, ENCRYPT_MEMBERS);
        } catch (BadRequest e) {
            requests.writeJson(response, e.status, AdminRequests.error(e.code, e.getMessage()));
            return;
        }
        Caller caller = caller(request);
        FieldCryptoService.EncryptResult result;
        try {
            result = fields.encrypt(new FieldCryptoService.EncryptRequest(envelope.tenant, envelope.documentType,
                    envelope.recordId, envelope.subject, envelope.document, AdminRequests.requestId(request)), caller);
        } catch (FieldCryptoException e) {
            fail(response, "encrypt", caller, e);
            return;
        }
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("fields", reports(result.fields()));
        rest.put("blind_indexes", result.blindIndexes());
        rest.put("audit_event_id", result.auditEventId());
        writeWithDocument(response, 200, result.document(), rest);
    }

    @PostMapping("/v1/fields/decrypt")
    public void decrypt(HttpServletRequest request, HttpServletResponse response) throws IOException {
        FieldCryptoService fields = service.getIfAvailable();
        if (requests.notEnabled(fields, PROPERTY, response)) {
            return;
        }
        Envelope envelope;
        try {
            envelope = envelope(request, DECRYPT_MEMBERS);
        } catch (BadRequest e) {
            requests.writeJson(response, e.status, AdminRequests.error(e.code, e.getMessage()));
            return;
        }
        Caller caller = caller(request);
        FieldCryptoService.DecryptResult result;
        try {
            result = fields.decrypt(new FieldCryptoService.DecryptRequest(envelope.tenant, envelope.documentType,
                    envelope.recordId, envelope.document, AdminRequests.requestId(request)), caller);
        } catch (FieldCryptoException e) {
            fail(response, "decrypt", caller, e);
            return;
        }
        Map<String, Object> rest = new LinkedHashMap<>();
        if (!result.policyAllowed()) {
            // Refused (or the policy could not be evaluated: fail closed): no document at all.
            rest.put("error", "policy_denied");
            rest.put("policy_allowed", false);
            rest.put("policy_reasons", result.reasons());
            rest.put("audit_event_id", result.auditEventId());
            requests.writeJson(response, 403, rest);
            return;
        }
        rest.put("fields", reports(result.fields()));
        rest.put("policy_allowed", true);
        rest.put("policy_reasons", result.reasons());
        rest.put("audit_event_id", result.auditEventId());
        writeWithDocument(response, 200, result.document(), rest);
    }

    /** The HTTP status of a {@link FieldCryptoException.Code}. */
    static int status(FieldCryptoException.Code code) {
        return switch (code) {
            case POLICY_DENIED -> 403;
            case AUTHENTICATION_FAILED, MALFORMED_CIPHERTEXT, UNSUPPORTED_FORMAT_VERSION, WRONG_MODE, UNKNOWN_KEY,
                    UNKNOWN_KEY_VERSION, KEY_DESTROYED -> 422;
            case MALFORMED_DOCUMENT, INVALID_PATH, INVALID_ARGUMENT, ALREADY_ENCRYPTED, SUBJECT_REQUIRED -> 400;
            case KEY_UNAVAILABLE, POLICY_UNAVAILABLE, AUDIT_FAILED -> 503;
        };
    }

    private void fail(HttpServletResponse response, String operation, Caller caller, FieldCryptoException e)
            throws IOException {
        // The message names field paths and what went wrong: for the operator's log, not the caller.
        log.info("field {} by {} failed: {} ({})", operation, AdminRequests.callerName(caller.actor()), e.code(), e.getMessage());
        requests.writeJson(response, status(e.code()), AdminRequests.error(e.code().name().toLowerCase(Locale.ROOT), null));
    }

    private static List<Map<String, Object>> reports(List<FieldReport> reports) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FieldReport r : reports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", r.path());
            m.put("class", r.dataClass());
            m.put("mode", r.mode().wireName());
            m.put("status", r.status().name().toLowerCase(Locale.ROOT));
            out.add(m);
        }
        return out;
    }

    /** {@code {"document": <bytes as they are>, ...rest}}. */
    private void writeWithDocument(HttpServletResponse response, int status, byte[] document, Map<String, Object> rest)
            throws IOException {
        byte[] tail = requests.json().writeValueAsBytes(rest); // "{...}", never empty here
        ByteArrayOutputStream body = new ByteArrayOutputStream(document.length + tail.length + 16);
        body.write("{\"document\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        body.write(document);
        body.write(',');
        body.write(tail, 1, tail.length - 1);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.size());
        body.writeTo(response.getOutputStream());
    }

    private static Caller caller(HttpServletRequest request) {
        Principal principal = AdminRequests.principal();
        Actor actor = AdminRequests.actor(request);
        return new Caller(actor, principal.roles(), principal.tenants());
    }

    /** The request's members; {@code document} as its exact bytes. */
    private record Envelope(String tenant, String documentType, String recordId, String subject, byte[] document) {
    }

    private Envelope envelope(HttpServletRequest request, Set<String> allowed) throws IOException, BadRequest {
        int maxBodyBytes = limits.getObject().maxBodyBytes();
        byte[] body;
        try {
            body = AdminRequests.body(request, maxBodyBytes);
        } catch (AdminRequests.BodyTooLargeException e) {
            throw new BadRequest(413, "too_large", e.getMessage());
        }
        JsonNode root;
        try {
            root = requests.json().readTree(body);
        } catch (JacksonException e) {
            throw new BadRequest(400, "malformed_request", "the request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadRequest(400, "malformed_request", "the request body must be a JSON object");
        }
        for (String name : root.propertyNames()) {
            if (!allowed.contains(name)) {
                throw new BadRequest(400, "malformed_request", "unknown member '" + name + "'; allowed: " + new java.util.TreeSet<>(allowed));
            }
        }
        List<JsonSpans.Span> found;
        try {
            found = new JsonSpans(maxBodyBytes, JsonSpans.DEFAULT_MAX_DEPTH).find(body, (path, depth, token, string) -> depth == 1 && "document".equals(path[0]) ? "document" : null);
        } catch (FieldCryptoException e) {
            throw new BadRequest(400, "malformed_request", "the request body cannot be read: " + e.code());
        }
        if (found.size() != 1) {
            throw new BadRequest(400, "malformed_request", "'document' is required");
        }
        JsonSpans.Span span = found.get(0);
        byte[] document = java.util.Arrays.copyOfRange(body, span.start(), span.end());
        return new Envelope(text(root, "tenant", true), text(root, "document_type", true), text(root, "record_id", false),
                allowed.contains("subject") ? text(root, "subject", false) : null, document);
    }

    private static String text(JsonNode root, String name, boolean required) throws BadRequest {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw new BadRequest(400, "malformed_request", "'" + name + "' is required");
            }
            return null;
        }
        if (!node.isString()) {
            throw new BadRequest(400, "malformed_request", "'" + name + "' must be a string");
        }
        return node.stringValue();
    }

    /** A request this endpoint cannot take, with its status and code. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        BadRequest(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
