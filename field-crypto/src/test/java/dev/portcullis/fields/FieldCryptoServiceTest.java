package dev.portcullis.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.FieldRule.KeyScope;
import dev.portcullis.fields.keys.DataKeyRepository;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.fields.policy.FieldPolicyRequest;
import dev.portcullis.fields.policy.FieldAccessPolicy;
import dev.portcullis.fields.policy.FieldPolicyDecision;
import dev.portcullis.fields.testing.Fixtures;
import dev.portcullis.fields.testing.RecordingAuditSink;

class FieldCryptoServiceTest {

    private static final List<FieldRule> RULES = List.of(
            FieldRule.of("$.name", "pii").withKeyScope(KeyScope.SUBJECT),
            FieldRule.of("$.card", "pci"));
    private static final byte[] DOC = "{\"name\":\"Ada\",\"card\":\"4111111111111111\",\"id\":7}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private Fixtures f;
    private final RecordingAuditSink audit = new RecordingAuditSink();
    /** A policy stand-in for unit tests: pii-reader reads pii; the real Rego is tested by opa test and FieldPolicyIT. */
    private FieldAccessPolicy policy = request -> new FieldPolicyDecision(true, RULES,
            request.caller().roles().contains("pii-reader") ? Set.of("pii") : Set.of(), List.of("test"), false);
    private FieldCryptoService service;

    @BeforeEach
    void setUp() {
        f = new Fixtures(dir);
        service = new FieldCryptoService(f.documents, f.keyring, r -> policy.decide(r), audit, Fixtures.CLOCK);
    }

    private byte[] encrypt() {
        return service.encrypt(new FieldCryptoService.EncryptRequest("acme", "patient", "p-1", "ada", DOC, "req-1"),
                Caller.memberOf("acme", "orders-service")).document();
    }

    @Test
    void encryptIsAuditedWithCountsAndClassesNeverValues() {
        byte[] enc = encrypt();
        AuditEvent e = audit.last();
        assertThat(e.type()).isEqualTo(EventType.FIELD_ENCRYPT);
        assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(e.requestId()).isEqualTo("req-1");
        assertThat(e.resource()).isEqualTo("fields/patient/p-1");
        assertThat(e.attributes()).containsEntry("fields", 2).containsEntry("classes", List.of("pci", "pii"))
                .containsEntry("tenant", "acme");
        assertThat(e.attributes().toString()).doesNotContain("Ada", "4111", "pcf:");
        assertThat(new String(enc, StandardCharsets.UTF_8)).doesNotContain("Ada", "4111");
    }

    @Test
    void aliceWithoutPiiGrantGetsMaskedValuesAndAReaderWithTheGrantGetsClearOnesEachAudited() {
        byte[] enc = encrypt();
        FieldCryptoService.DecryptResult alice = service.decrypt(
                new FieldCryptoService.DecryptRequest("acme", "patient", "p-1", enc, "req-2"), Caller.memberOf("acme", "alice", "order-reader"));
        assertThat(new String(alice.document(), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"***\",\"card\":\"***\",\"id\":7}");
        AuditEvent aliceEvent = audit.last();
        assertThat(aliceEvent.type()).isEqualTo(EventType.FIELD_DECRYPT);
        assertThat(aliceEvent.actor().subject()).isEqualTo("alice");
        assertThat(aliceEvent.attributes()).containsEntry("clear", 0).containsEntry("masked", 2)
                .containsEntry("masked_classes", List.of("pci", "pii"));

        FieldCryptoService.DecryptResult rita = service.decrypt(
                new FieldCryptoService.DecryptRequest("acme", "patient", "p-1", enc, "req-3"), Caller.memberOf("acme", "rita", "pii-reader"));
        assertThat(new String(rita.document(), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"Ada\",\"card\":\"***\",\"id\":7}");
        assertThat(audit.last().attributes()).containsEntry("clear", 1).containsEntry("clear_classes", List.of("pii"));
        assertThat(audit.events()).extracting(AuditEvent::id).doesNotHaveDuplicates();
    }

    @Test
    void decryptWhenPolicyFailsThenEverythingIsMaskedAndTheFailureAudited() {
        byte[] enc = encrypt();
        policy = r -> FieldPolicyDecision.failClosed("policy_unavailable");
        FieldCryptoService.DecryptResult result = service.decrypt(
                new FieldCryptoService.DecryptRequest("acme", "patient", "p-1", enc, null), Caller.memberOf("acme", "rita", "pii-reader"));
        assertThat(result.policyAllowed()).isFalse();
        assertThat(new String(result.document(), StandardCharsets.UTF_8)).doesNotContain("Ada").contains("\"***\"");
        assertThat(audit.last().outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(audit.last().reason()).isEqualTo("policy_unavailable");
    }

    @Test
    void encryptWhenPolicyFailsOrDeniesThenRefusesAndAudits() {
        policy = r -> FieldPolicyDecision.failClosed("policy_timeout");
        assertThatThrownBy(this::encrypt).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.POLICY_UNAVAILABLE));
        assertThat(audit.last().outcome()).isEqualTo(Outcome.FAILURE);
        policy = r -> new FieldPolicyDecision(false, List.of(), Set.of(), List.of("unknown_document_type"), false);
        assertThatThrownBy(this::encrypt).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.POLICY_DENIED));
        assertThat(audit.last().reason()).isEqualTo("policy_denied");
    }

    @Test
    void whenTheAuditSinkFailsThenNoResultIsReturned() {
        audit.failing(true);
        assertThatThrownBy(this::encrypt).isInstanceOfSatisfying(FieldCryptoException.class,
                e -> assertThat(e.code()).isEqualTo(Code.AUDIT_FAILED));
    }

    @Test
    void forgetSubjectIsAuditedAsSubjectForgottenWithoutTheSubjectInClear() {
        byte[] enc = encrypt();
        FieldCryptoService.ForgetResult result = service.forgetSubject("acme", "ada", Caller.memberOf("acme", "sec-admin"), "req-9");
        assertThat(result.destroyed()).isTrue();
        AuditEvent e = audit.last();
        assertThat(e.type()).isEqualTo(EventType.SUBJECT_FORGOTTEN);
        assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(e.attributes()).containsEntry("key_destroyed", true).containsKey("subject_sha256");
        assertThat(e.toString() + e.attributes() + e.resource()).doesNotContain("ada");
        FieldCryptoService.DecryptResult after = service.decrypt(
                new FieldCryptoService.DecryptRequest("acme", "patient", "p-1", enc, null), Caller.memberOf("acme", "rita", "pii-reader"));
        assertThat(after.fields()).filteredOn(r -> r.path().equals("$['name']")).singleElement()
                .extracting(FieldReport::status).isEqualTo(FieldReport.Status.FORGOTTEN);
        assertThat(service.forgetSubject("acme", "ada", Caller.memberOf("acme", "sec-admin"), null).destroyed()).isFalse();
    }

    @Test
    void tamperedDocumentFailsAndTheFailureIsAudited() {
        String enc = new String(encrypt(), StandardCharsets.UTF_8);
        byte[] tampered = enc.replace("\"id\":7", "\"id\":8").replaceFirst("pcf:A", "pcf:B").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> service.decrypt(new FieldCryptoService.DecryptRequest("acme", "patient", "p-1", tampered,
                null), Caller.memberOf("acme", "rita", "pii-reader"))).isInstanceOf(FieldCryptoException.class);
        assertThat(audit.last().type()).isEqualTo(EventType.FIELD_DECRYPT);
        assertThat(audit.last().outcome()).isEqualTo(Outcome.FAILURE);
    }

    @Test
    void aRequestWithoutARecordIdOrWithATenantTooLongForAKeyNameIsRefusedAndAuditedBeforeThePolicy() {
        List<FieldPolicyRequest> asked = new java.util.ArrayList<>();
        FieldAccessPolicy recording = policy;
        policy = request -> {
            asked.add(request);
            return recording.decide(request);
        };
        String sixtyThree = "t".repeat(63);
        List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
                () -> service.encrypt(new FieldCryptoService.EncryptRequest("acme", "patient", null, "ada", DOC, null),
                        Caller.memberOf("acme", "orders-service")),
                () -> service.decrypt(new FieldCryptoService.DecryptRequest("acme", "patient", null, DOC, null),
                        Caller.memberOf("acme", "rita", "pii-reader")),
                () -> service.encrypt(new FieldCryptoService.EncryptRequest(sixtyThree, "patient", "p-1", "ada", DOC, null),
                        Caller.memberOf("acme", "orders-service")));
        for (var call : calls) {
            assertThatThrownBy(call).isInstanceOfSatisfying(FieldCryptoException.class,
                    e -> assertThat(e.code()).isEqualTo(FieldCryptoException.Code.INVALID_ARGUMENT));
            assertThat(audit.last().outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(audit.last().reason()).isEqualTo("invalid_argument");
        }
        assertThat(asked).isEmpty();
        // 62 characters is the longest tenant whose keyset name (t:<tenant>) is a key name.
        assertThat(service.encrypt(new FieldCryptoService.EncryptRequest("t".repeat(62), "patient", "p-1", "ada", DOC, null),
                Caller.memberOf("acme", "orders-service")).fields()).hasSize(2);
    }

    @Test
    void anUnforeseenFailureIsAuditedToo() {
        // A key store whose disk fails: not a FieldCryptoException, nothing the service foresaw.
        DataKeyRepository failing = (DataKeyRepository) java.lang.reflect.Proxy.newProxyInstance(
                DataKeyRepository.class.getClassLoader(), new Class<?>[] {DataKeyRepository.class}, (proxy, method, args) -> {
                    throw new java.io.UncheckedIOException(new java.io.IOException("disk gone"));
                });
        Keyring keyring = Keyring.builder(failing, f.kek, "portcullis-fields").clock(Fixtures.CLOCK).build();
        FieldCryptoService broken = new FieldCryptoService(new DocumentCipher(new FieldCipher(keyring), keyring), keyring,
                r -> policy.decide(r), audit, Fixtures.CLOCK);

        assertThatThrownBy(() -> broken.encrypt(new FieldCryptoService.EncryptRequest("acme", "patient", "p-1", "ada", DOC,
                null), Caller.memberOf("acme", "orders-service"))).isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(audit.last().type()).isEqualTo(EventType.FIELD_ENCRYPT);
        assertThat(audit.last().outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(audit.last().reason()).isEqualTo("unexpected_error");
        assertThat(audit.last().attributes()).containsEntry("error", "UncheckedIOException");
    }
}
