package dev.portcullis.fields.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.fields.Caller;
import dev.portcullis.fields.DocumentCipher;
import dev.portcullis.fields.FieldCipher;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoService;
import dev.portcullis.fields.FieldCryptoService.DecryptRequest;
import dev.portcullis.fields.FieldCryptoService.EncryptRequest;
import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.fields.testing.ContractCheckingAuditSink;
import dev.portcullis.fields.testing.StackOpenBao;
import dev.portcullis.testing.LocalStack;

/**
 * Policy-driven decryption against the real OPA serving {@code policies/fields} and the real
 * OpenBao: alice (no {@code pii} grant) gets masked values, a reader with the grant gets clear
 * values, and each decryption is an audit event with counts and classes, never values; only a
 * tenant's members encrypt or read its documents.
 */
class FieldPolicyIT {

    private static final byte[] ORDER = """
            {"id":"o-1","customer":{"name":"Ada","email":"ada@example.org"},
             "payment":{"card_number":"4111111111111111"},"items":[{"sku":"A","gift_message":"Happy birthday"}]}"""
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private LocalStack stack;
    private FieldCryptoService service;
    private final ContractCheckingAuditSink audit = new ContractCheckingAuditSink();

    @BeforeEach
    void setUp() {
        stack = LocalStack.require();
        Keyring keyring = Keyring.builder(new FileDataKeyRepository(dir),
                new StackOpenBao(stack).wrapper("portcullis-service"), "portcullis-fields").build();
        service = new FieldCryptoService(new DocumentCipher(new FieldCipher(keyring), keyring), keyring,
                new OpaHttpFieldAccessPolicy(stack.uri("opa.addr"), java.time.Duration.ofSeconds(30)), audit, Clock.systemUTC());
    }

    @Test
    void aliceGetsMaskedValuesAndAReaderWithThePiiGrantGetsClearOnesEachAudited() {
        FieldCryptoService.EncryptResult enc = service.encrypt(
                new EncryptRequest("acme", "order", "o-1", "ada", ORDER, "req-e"), Caller.memberOf("acme", "orders-service"));
        assertThat(enc.fields()).hasSize(4);
        assertThat(enc.blindIndexes()).containsOnlyKeys("$['payment']['card_number']");

        FieldCryptoService.DecryptResult alice = service.decrypt(
                new DecryptRequest("acme", "order", "o-1", enc.document(), "req-a"), Caller.memberOf("acme", "alice", "order-reader"));
        String aliceText = new String(alice.document(), StandardCharsets.UTF_8);
        assertThat(aliceText).doesNotContain("Ada", "ada@example.org", "4111", "birthday")
                .contains("\"name\":\"***\"", "\"sku\":\"A\"");
        assertThat(alice.reasons()).containsExactly("no_read_grant");

        FieldCryptoService.DecryptResult rita = service.decrypt(
                new DecryptRequest("acme", "order", "o-1", enc.document(), "req-r"), Caller.memberOf("acme", "rita", "pii-reader"));
        String ritaText = new String(rita.document(), StandardCharsets.UTF_8);
        assertThat(ritaText).contains("\"name\":\"Ada\"", "\"email\":\"ada@example.org\"", "Happy birthday")
                .contains("\"card_number\":\"***\"");

        List<AuditEvent> decrypts = audit.events().stream().filter(e -> e.type() == EventType.FIELD_DECRYPT).toList();
        assertThat(decrypts).hasSize(2);
        assertThat(decrypts.get(0).actor().subject()).isEqualTo("alice");
        assertThat(decrypts.get(0).requestId()).isEqualTo("req-a");
        assertThat(decrypts.get(0).attributes()).containsEntry("clear", 0L).containsEntry("masked", 4L)
                .containsEntry("masked_classes", List.of("pci", "pii"));
        assertThat(decrypts.get(1).actor().subject()).isEqualTo("rita");
        assertThat(decrypts.get(1).attributes()).containsEntry("clear", 3L).containsEntry("masked", 1L)
                .containsEntry("clear_classes", List.of("pii"));
        assertThat(decrypts).allMatch(e -> e.outcome() == Outcome.SUCCESS);
        assertThat(String.join("\n", audit.lines())).doesNotContain("Ada", "4111", "birthday", "pcf:");
    }

    @Test
    void aGrantInOneTenantDoesNotOpenAnotherTenantsDocuments() {
        FieldCryptoService.EncryptResult enc = service.encrypt(
                new EncryptRequest("globex", "order", "o-9", "ada", ORDER, null), Caller.memberOf("globex", "orders-service"));
        // billing reads pci in acme only; in globex it has no grant.
        FieldCryptoService.DecryptResult billing = service.decrypt(
                new DecryptRequest("globex", "order", "o-9", enc.document(), null), Caller.memberOf("globex", "bill", "billing"));
        assertThat(new String(billing.document(), StandardCharsets.UTF_8)).doesNotContain("4111");
    }

    @Test
    void aCallerOutsideTheTenantCanNeitherEncryptNorReadItsDocumentsEachAudited() {
        FieldCryptoService.EncryptResult enc = service.encrypt(
                new EncryptRequest("globex", "order", "o-7", "ada", ORDER, null), Caller.memberOf("globex", "orders-service"));

        // globex grants pii-reader pii; rita holds that role but belongs to acme only.
        FieldCryptoService.DecryptResult rita = service.decrypt(
                new DecryptRequest("globex", "order", "o-7", enc.document(), "req-x"), Caller.memberOf("acme", "rita", "pii-reader"));
        assertThat(rita.policyAllowed()).isFalse();
        assertThat(rita.reasons()).containsExactly("not_a_tenant_member");
        assertThat(new String(rita.document(), StandardCharsets.UTF_8)).doesNotContain("Ada", "ada@example.org");
        AuditEvent refused = audit.events().get(audit.events().size() - 1);
        assertThat(refused.type()).isEqualTo(EventType.FIELD_DECRYPT);
        assertThat(refused.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(refused.requestId()).isEqualTo("req-x");

        // Nor may an outsider use globex's keys to encrypt (deterministic ciphertexts and blind indexes
        // of guessed values would be a dictionary oracle).
        assertThatThrownBy(() -> service.encrypt(new EncryptRequest("globex", "order", "o-8", "ada", ORDER, "req-y"),
                Caller.memberOf("acme", "orders-service")))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                    assertThat(e.code()).isEqualTo(FieldCryptoException.Code.POLICY_DENIED);
                    assertThat(e.getMessage()).contains("not_a_tenant_member");
                });
        assertThat(audit.events().get(audit.events().size() - 1).outcome()).isEqualTo(Outcome.FAILURE);

        // The same role, with membership of globex as well, reads globex's pii.
        FieldCryptoService.DecryptResult member = service.decrypt(
                new DecryptRequest("globex", "order", "o-7", enc.document(), null),
                new Caller(Actor.UNKNOWN.withSubject("rita"), Set.of("pii-reader"), Set.of("acme", "globex")));
        assertThat(new String(member.document(), StandardCharsets.UTF_8)).contains("\"name\":\"Ada\"");
    }

    @Test
    void anUnknownDocumentTypeIsDeniedAndEverythingStaysMasked() {
        FieldCryptoService.EncryptResult enc = service.encrypt(
                new EncryptRequest("acme", "order", "o-2", "ada", ORDER, null), Caller.memberOf("acme", "orders-service"));
        FieldCryptoService.DecryptResult result = service.decrypt(
                new DecryptRequest("acme", "invoice", "o-2", enc.document(), null), Caller.memberOf("acme", "rita", "pii-reader"));
        assertThat(result.policyAllowed()).isFalse();
        assertThat(result.reasons()).containsExactly("unknown_document_type");
        assertThat(new String(result.document(), StandardCharsets.UTF_8)).doesNotContain("Ada");
        assertThat(audit.events().get(audit.events().size() - 1).outcome()).isEqualTo(Outcome.FAILURE);
    }
}
