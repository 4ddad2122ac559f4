package dev.portcullis.fields;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.FieldReport.Status;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.fields.policy.FieldAccessPolicy;
import dev.portcullis.fields.policy.FieldPolicyDecision;
import dev.portcullis.fields.policy.FieldPolicyRequest;
import dev.portcullis.fields.policy.FieldPolicyRequest.Operation;

/**
 * Field-level encryption as a service: a document and its caller in, the processed document and
 * one audit event out. This is what the authz-service exposes as {@code /v1/fields/encrypt} and
 * {@code /v1/fields/decrypt}, what the CLI runs, and what other Java services can call in-process.
 *
 * <ul>
 *   <li><b>encrypt</b>: asks the field policy for the document type's rules (denied or unavailable:
 *       {@link Code#POLICY_DENIED} / {@link Code#POLICY_UNAVAILABLE}), encrypts, audits
 *       {@code field.encrypt}.</li>
 *   <li><b>decrypt</b>: asks the policy which classes the caller may read; returns those fields in
 *       clear and every other ciphertext masked. If the policy denies or fails, everything stays
 *       masked (fail closed). Audits {@code field.decrypt}.</li>
 *   <li><b>forgetSubject</b>: destroys the data subject's key (crypto-shredding), audits
 *       {@code subject.forgotten}.</li>
 * </ul>
 *
 * <p>Audit events carry counts, classes, modes and paths, never values. An operation whose audit
 * event cannot be recorded fails with {@link Code#AUDIT_FAILED} and returns nothing; failures are
 * audited too (outcome {@code failure}, reason = the error code).
 */
public final class FieldCryptoService {

    /** The audit reason of a failure nobody foresaw (a defect, or a key store I/O error). */
    private static final String UNEXPECTED = "unexpected_error";

    private final DocumentCipher documents;
    private final Keyring keyring;
    private final FieldAccessPolicy policy;
    private final AuditSink audit;
    private final Clock clock;

    /** Required collaborators; {@code clock} dates the audit events. */
    public FieldCryptoService(DocumentCipher documents, Keyring keyring, FieldAccessPolicy policy, AuditSink audit,
            Clock clock) {
        this.documents = Objects.requireNonNull(documents, "documents cannot be null");
        this.keyring = Objects.requireNonNull(keyring, "keyring cannot be null");
        this.policy = Objects.requireNonNull(policy, "policy cannot be null");
        this.audit = Objects.requireNonNull(audit, "audit cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    /** A document to encrypt. {@code subject} may be null when no field is subject-keyed. */
    public record EncryptRequest(String tenant, String documentType, String recordId, String subject, byte[] document,
            String requestId) {
        public EncryptRequest {
            Validation.tenant(tenant);
            Objects.requireNonNull(documentType, "documentType cannot be null");
            Objects.requireNonNull(document, "document cannot be null");
        }
    }

    /** A document to decrypt. */
    public record DecryptRequest(String tenant, String documentType, String recordId, byte[] document,
            String requestId) {
        public DecryptRequest {
            Validation.tenant(tenant);
            Objects.requireNonNull(documentType, "documentType cannot be null");
            Objects.requireNonNull(document, "document cannot be null");
        }
    }

    /** The encrypted document, its fields and blind-index tokens, and the audit event's id. */
    public record EncryptResult(byte[] document, List<FieldReport> fields, Map<String, String> blindIndexes,
            String auditEventId) {
    }

    /**
     * The decrypted document (masked where not readable), its fields, whether the policy allowed
     * reading at all, the policy's reasons, and the audit event's id.
     */
    public record DecryptResult(byte[] document, List<FieldReport> fields, boolean policyAllowed, List<String> reasons,
            String auditEventId) {
    }

    /** Whether the subject had a key, the destroyed key's id, and the audit event's id. */
    public record ForgetResult(boolean destroyed, String keyId, String auditEventId) {
    }

    public EncryptResult encrypt(EncryptRequest request, Caller caller) {
        Objects.requireNonNull(caller, "caller cannot be null");
        String resource = resource(request.documentType(), request.recordId());
        requireScope(EventType.FIELD_ENCRYPT, "encrypt", request.tenant(), request.recordId(), caller, resource,
                request.requestId());
        FieldPolicyDecision decision = policy.decide(
                new FieldPolicyRequest(Operation.ENCRYPT, caller, request.tenant(), request.documentType()));
        if (!decision.allowed()) {
            Code code = decision.failedClosed() ? Code.POLICY_UNAVAILABLE : Code.POLICY_DENIED;
            record(EventType.FIELD_ENCRYPT, caller, "encrypt", resource, Outcome.FAILURE, code.name().toLowerCase(),
                    request.requestId(), Map.of("tenant", request.tenant(), "policy_reasons", decision.reasons()));
            throw new FieldCryptoException(code, "the field policy "
                    + (decision.failedClosed() ? "could not be evaluated" : "denied encryption") + ": "
                    + String.join(", ", decision.reasons()));
        }
        DocumentCipher.Encrypted encrypted;
        try {
            encrypted = documents.encrypt(request.document(), decision.rules(), request.tenant(), request.recordId(),
                    request.subject());
        } catch (FieldCryptoException e) {
            record(EventType.FIELD_ENCRYPT, caller, "encrypt", resource, Outcome.FAILURE, e.code().name().toLowerCase(),
                    request.requestId(), Map.of("tenant", request.tenant()));
            throw e;
        } catch (RuntimeException e) {
            record(EventType.FIELD_ENCRYPT, caller, "encrypt", resource, Outcome.FAILURE, UNEXPECTED,
                    request.requestId(), Map.of("tenant", request.tenant(), "error", e.getClass().getSimpleName()));
            throw e;
        }
        Map<String, Object> attributes = new TreeMap<>();
        attributes.put("tenant", request.tenant());
        attributes.put("document_type", request.documentType());
        attributes.put("fields", encrypted.fields().size());
        attributes.put("classes", classes(encrypted.fields(), null));
        attributes.put("modes", modes(encrypted.fields()));
        attributes.put("blind_indexes", encrypted.blindIndexes().size());
        attributes.put("subject_keyed", request.subject() != null
                && decision.rules().stream().anyMatch(r -> r.keyScope() == FieldRule.KeyScope.SUBJECT));
        String id = record(EventType.FIELD_ENCRYPT, caller, "encrypt", resource, Outcome.SUCCESS, null,
                request.requestId(), attributes);
        return new EncryptResult(encrypted.document(), encrypted.fields(), encrypted.blindIndexes(), id);
    }

    public DecryptResult decrypt(DecryptRequest request, Caller caller) {
        Objects.requireNonNull(caller, "caller cannot be null");
        String resource = resource(request.documentType(), request.recordId());
        requireScope(EventType.FIELD_DECRYPT, "decrypt", request.tenant(), request.recordId(), caller, resource,
                request.requestId());
        FieldPolicyDecision decision = policy.decide(
                new FieldPolicyRequest(Operation.DECRYPT, caller, request.tenant(), request.documentType()));
        // Fail closed: a denied or failed policy still returns the document, with every
        // ciphertext masked, so the caller sees what it may see (nothing) and why.
        java.util.function.Predicate<String> readable = decision.allowed() ? decision.readableClasses()::contains
                : c -> false;
        DocumentCipher.Decrypted decrypted;
        try {
            decrypted = documents.decrypt(request.document(), decision.rules(), request.tenant(), request.recordId(),
                    readable);
        } catch (FieldCryptoException e) {
            record(EventType.FIELD_DECRYPT, caller, "decrypt", resource, Outcome.FAILURE, e.code().name().toLowerCase(),
                    request.requestId(), Map.of("tenant", request.tenant()));
            throw e;
        } catch (RuntimeException e) {
            record(EventType.FIELD_DECRYPT, caller, "decrypt", resource, Outcome.FAILURE, UNEXPECTED,
                    request.requestId(), Map.of("tenant", request.tenant(), "error", e.getClass().getSimpleName()));
            throw e;
        }
        Map<String, Object> attributes = new TreeMap<>();
        attributes.put("tenant", request.tenant());
        attributes.put("document_type", request.documentType());
        attributes.put("fields", decrypted.fields().size());
        attributes.put("clear", count(decrypted.fields(), Status.CLEAR));
        attributes.put("masked", count(decrypted.fields(), Status.MASKED));
        attributes.put("forgotten", count(decrypted.fields(), Status.FORGOTTEN));
        attributes.put("classes", classes(decrypted.fields(), null));
        attributes.put("clear_classes", classes(decrypted.fields(), Status.CLEAR));
        attributes.put("masked_classes", classes(decrypted.fields(), Status.MASKED));
        attributes.put("policy_reasons", decision.reasons());
        Outcome outcome = decision.allowed() ? Outcome.SUCCESS : Outcome.FAILURE;
        String reason = decision.allowed() ? null
                : decision.failedClosed() ? "policy_unavailable" : "policy_denied";
        String id = record(EventType.FIELD_DECRYPT, caller, "decrypt", resource, outcome, reason, request.requestId(),
                attributes);
        return new DecryptResult(decrypted.document(), decrypted.fields(), decision.allowed(), decision.reasons(), id);
    }

    /**
     * The tenant and record id every ciphertext is bound to, checked before the policy is asked; a
     * request without them fails with {@link Code#INVALID_ARGUMENT}, audited, instead of failing
     * somewhere inside.
     */
    private void requireScope(EventType type, String action, String tenant, String recordId, Caller caller,
            String resource, String requestId) {
        try {
            Validation.tenant(tenant);
            if (recordId == null || recordId.isEmpty()) {
                throw new FieldCryptoException(Code.INVALID_ARGUMENT, "record_id is required: it binds each ciphertext"
                        + " to its record, and decrypting takes the same one");
            }
        } catch (FieldCryptoException | NullPointerException e) {
            record(type, caller, action, resource, Outcome.FAILURE, Code.INVALID_ARGUMENT.name().toLowerCase(), requestId,
                    tenant == null ? Map.of() : Map.of("tenant", tenant));
            throw e instanceof FieldCryptoException f ? f
                    : new FieldCryptoException(Code.INVALID_ARGUMENT, "tenant is required");
        }
    }

    /**
     * Forgets data subject {@code subject} of {@code tenant}: destroys their key, then records
     * {@code subject.forgotten}. The key is destroyed first on purpose: an audit record claiming a
     * destruction that then failed would be false evidence; if recording fails after the key is
     * gone, the call fails with {@link Code#AUDIT_FAILED} saying so (the key stays destroyed).
     * The event names the subject by SHA-256 of tenant NUL subject, not in clear.
     */
    public ForgetResult forgetSubject(String tenant, String subject, Caller caller, String requestId) {
        Validation.tenant(tenant);
        Objects.requireNonNull(subject, "subject cannot be null");
        Objects.requireNonNull(caller, "caller cannot be null");
        Optional<String> destroyed;
        try {
            destroyed = keyring.forgetSubject(tenant, subject);
        } catch (RuntimeException e) {
            record(EventType.SUBJECT_FORGOTTEN, caller, "forget", "subject/" + subjectRef(tenant, subject),
                    Outcome.FAILURE, "key_store_error", requestId, Map.of("tenant", tenant));
            throw e;
        }
        Map<String, Object> attributes = new TreeMap<>();
        attributes.put("tenant", tenant);
        attributes.put("subject_sha256", subjectRef(tenant, subject));
        attributes.put("key_destroyed", destroyed.isPresent());
        destroyed.ifPresent(k -> attributes.put("key_id", k));
        String id = record(EventType.SUBJECT_FORGOTTEN, caller, "forget", "subject/" + subjectRef(tenant, subject),
                Outcome.SUCCESS, destroyed.isPresent() ? null : "no_key", requestId, attributes);
        return new ForgetResult(destroyed.isPresent(), destroyed.orElse(null), id);
    }

    private String record(EventType type, Caller caller, String action, String resource, Outcome outcome,
            String reason, String requestId, Map<String, ?> attributes) {
        AuditEvent event = AuditEvent.builder(type, clock.instant())
                .actor(caller.actor())
                .action(action)
                .resource(resource)
                .outcome(outcome)
                .reason(reason)
                .requestId(requestId)
                .attributes(attributes)
                .build();
        try {
            audit.append(event);
        } catch (AuditException e) {
            throw new FieldCryptoException(Code.AUDIT_FAILED, "the " + type.wireName()
                    + " audit event could not be recorded; the result is withheld"
                    + (type == EventType.SUBJECT_FORGOTTEN ? " (the subject's key IS destroyed)" : ""), e);
        }
        return event.id();
    }

    private static String resource(String documentType, String recordId) {
        return "fields/" + documentType + "/" + recordId;
    }

    private static List<String> classes(List<FieldReport> fields, Status status) {
        TreeSet<String> classes = new TreeSet<>();
        for (FieldReport f : fields) {
            if (status == null || f.status() == status) {
                classes.add(f.dataClass());
            }
        }
        return List.copyOf(classes);
    }

    private static Map<String, Object> modes(List<FieldReport> fields) {
        Map<String, Object> modes = new TreeMap<>();
        for (FieldReport f : fields) {
            modes.merge(f.mode().wireName(), 1, (a, b) -> (Integer) a + (Integer) b);
        }
        return modes;
    }

    private static int count(List<FieldReport> fields, Status status) {
        return (int) fields.stream().filter(f -> f.status() == status).count();
    }

    static String subjectRef(String tenant, String subject) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(tenant.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(subject.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
