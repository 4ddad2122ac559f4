package dev.portcullis.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.FieldReport.Status;
import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.fields.policy.OpaHttpFieldAccessPolicy;
import dev.portcullis.fields.testing.ContractCheckingAuditSink;
import dev.portcullis.fields.testing.StackOpenBao;
import dev.portcullis.testing.LocalStack;

/**
 * Crypto-shredding end to end on the real stack: OpenBao's {@code portcullis-fields} KEK through
 * the real Vault wrapper with a token holding only the {@code portcullis-service} policy, the real
 * OPA serving {@code policies/fields}. After forget-subject, that subject's fields cannot be
 * decrypted by anyone (this instance, a fresh instance, the low-level cipher), other subjects'
 * and the tenant-keyed fields can.
 */
class CryptoShreddingIT {

    static final String PATIENT = """
            {"id":"%s","name":"%s","email":"%s@example.org","national_id":"%s-123","birth_date":"1815-12-10",
             "diagnoses":["I10","E11"],"billing":{"card":"4111111111111111"},"ward":"B"}""";

    @TempDir
    Path dir;

    private LocalStack stack;
    private StackOpenBao bao;
    private final ContractCheckingAuditSink audit = new ContractCheckingAuditSink();

    @BeforeEach
    void setUp() {
        stack = LocalStack.require();
        bao = new StackOpenBao(stack);
    }

    private FieldCryptoService newInstance() {
        Keyring keyring = Keyring.builder(new FileDataKeyRepository(dir), bao.wrapper("portcullis-service"),
                "portcullis-fields").build();
        return new FieldCryptoService(new DocumentCipher(new FieldCipher(keyring), keyring), keyring,
                new OpaHttpFieldAccessPolicy(stack.uri("opa.addr"), java.time.Duration.ofSeconds(30)), audit, Clock.systemUTC());
    }

    private static byte[] patient(String id, String name) {
        return PATIENT.formatted(id, name, name.toLowerCase(), name).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void afterForgetSubjectTheirFieldsCannotBeDecryptedByAnyoneAndOthersStillCan() {
        FieldCryptoService service = newInstance();
        Caller writer = Caller.memberOf("acme", "orders-service");
        Caller clinician = Caller.memberOf("acme", "carl", "clinician", "billing");
        byte[] ada = service.encrypt(new FieldCryptoService.EncryptRequest("acme", "patient", "p-ada", "ada",
                patient("p-ada", "Ada"), null), writer).document();
        byte[] bob = service.encrypt(new FieldCryptoService.EncryptRequest("acme", "patient", "p-bob", "bob",
                patient("p-bob", "Bob"), null), writer).document();
        assertThat(service.decrypt(new FieldCryptoService.DecryptRequest("acme", "patient", "p-ada", ada, null),
                clinician).document()).isEqualTo(patient("p-ada", "Ada"));

        FieldCryptoService.ForgetResult forgot = service.forgetSubject("acme", "ada", Caller.memberOf("acme", "sec-admin"), "req-f");
        assertThat(forgot.destroyed()).isTrue();

        for (FieldCryptoService instance : new FieldCryptoService[] {service, newInstance()}) {
            FieldCryptoService.DecryptResult adaAfter = instance.decrypt(
                    new FieldCryptoService.DecryptRequest("acme", "patient", "p-ada", ada, null), clinician);
            String text = new String(adaAfter.document(), StandardCharsets.UTF_8);
            assertThat(text).doesNotContain("Ada", "1815", "I10", "ada-123");
            // Tenant-keyed fields of the same document are untouched by the shredding.
            assertThat(text).contains("\"email\":\"ada@example.org\"", "\"card\":\"4111111111111111\"", "\"ward\":\"B\"");
            assertThat(adaAfter.fields()).filteredOn(f -> f.status() == Status.FORGOTTEN).extracting(FieldReport::path)
                    .containsExactlyInAnyOrder("$['name']", "$['national_id']", "$['birth_date']",
                            "$['diagnoses'][0]", "$['diagnoses'][1]");
            assertThat(instance.decrypt(new FieldCryptoService.DecryptRequest("acme", "patient", "p-bob", bob, null),
                    clinician).document()).isEqualTo(patient("p-bob", "Bob"));
        }

        // Not even the low-level cipher, with the key store and the KMS at hand, can decrypt it.
        Keyring keyring = Keyring.builder(new FileDataKeyRepository(dir), bao.wrapper("portcullis-service"),
                "portcullis-fields").build();
        String nameCiphertext = new String(ada, StandardCharsets.UTF_8).replaceAll("(?s).*\"name\":\"(pcf:[^\"]+)\".*", "$1");
        assertThatThrownBy(() -> new FieldCipher(keyring).decrypt(nameCiphertext,
                new FieldContext("acme", "p-ada", "$['name']"))).isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.KEY_DESTROYED));

        AuditEvent forgotten = audit.events().stream().filter(e -> e.type() == EventType.SUBJECT_FORGOTTEN)
                .findFirst().orElseThrow();
        assertThat(forgotten.requestId()).isEqualTo("req-f");
        assertThat(forgotten.attributes()).containsEntry("key_destroyed", true).containsEntry("key_id", forgot.keyId());
        assertThat(String.join("\n", audit.lines())).doesNotContain("Ada", "\"ada\"", "4111", "pcf:");
    }
}
