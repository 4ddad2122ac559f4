package dev.portcullis.authz.admin.audit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.checkpoint.VerifierKey;
import dev.portcullis.authz.admin.AdminRequests;

/**
 * {@code /v1/admin/audit/*}: what an auditor needs to check this service's audit log offline with
 * {@code portcullis audit verify --trusted-key ... --checkpoint ...}: the verifier keys of the
 * checkpoint signer (every live version of a Vault signing key, so checkpoints signed before a
 * rotation keep verifying), and a signed checkpoint covering everything recorded so far.
 *
 * <p>Fetching keys over this API only helps against accidents: an auditor who wants to detect a
 * compromised service must pin the keys through another channel (Vault's
 * {@code transit/keys/<key>} public keys, read with their own credential) and compare.
 */
@RestController
public final class AuditAdminController {

    private static final Logger log = LoggerFactory.getLogger(AuditAdminController.class);

    private final AuditLog audit;
    private final VerifierKeySource keys;
    private final AdminRequests requests;

    public AuditAdminController(AuditLog audit, VerifierKeySource keys, AdminRequests requests) {
        this.audit = Objects.requireNonNull(audit, "audit cannot be null");
        this.keys = Objects.requireNonNull(keys, "keys cannot be null");
        this.requests = Objects.requireNonNull(requests, "requests cannot be null");
    }

    /** {@code {"origin": ..., "keys": ["<name>+<key id>+<base64 key>", ...]}}: the C2SP vkeys, newest last. */
    @GetMapping("/v1/admin/audit/verifier-keys")
    public void verifierKeys(HttpServletResponse response) throws IOException {
        List<String> vkeys = new ArrayList<>();
        try {
            for (VerifierKey key : keys.verifierKeys()) {
                vkeys.add(key.toString());
            }
        } catch (CheckpointException | IllegalStateException e) {
            log.warn("cannot list the audit verifier keys: {}", e.getMessage());
            requests.writeJson(response, 503, AdminRequests.error("unavailable", "the verifier keys cannot be read right now"));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("origin", audit.origin());
        body.put("keys", vkeys);
        requests.writeJson(response, 200, body);
    }

    /**
     * A signed checkpoint covering every entry recorded before the call (signed now if the latest
     * does not): {@code {"origin", "size", "root_hash" (base64), "note"}}, where {@code note} is
     * the C2SP signed note to save as the file {@code audit verify --checkpoint} reads.
     */
    @GetMapping("/v1/admin/audit/checkpoint")
    public void checkpoint(HttpServletResponse response) throws IOException {
        SignedCheckpoint signed;
        try {
            signed = audit.checkpoint();
        } catch (AuditException e) {
            log.warn("cannot sign an audit checkpoint: {}", e.getMessage());
            requests.writeJson(response, 503, AdminRequests.error("unavailable", "no checkpoint could be signed right now"));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("origin", signed.checkpoint().origin());
        body.put("size", signed.checkpoint().size());
        body.put("root_hash", Base64.getEncoder().encodeToString(signed.checkpoint().rootHash()));
        body.put("note", signed.format());
        requests.writeJson(response, 200, body);
    }
}
