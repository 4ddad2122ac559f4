package dev.portcullis.authz.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.authz.testing.KeycloakRealm;
import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;

/**
 * Field-level encryption over HTTP (issue 6 item 7) in the running service: the caller's verified
 * token is who the fields policy (the real OPA, {@code policies/fields}) decides on. Alice (role
 * order-reader, no pii grant in tenant acme) gets masked values; a reader holding
 * {@code pii-reader} (a user made for this test in the real Keycloak) gets the pii fields in
 * clear and the others masked; every call is audited without values. Only a tenant's members (the
 * realm's {@code /tenants/...} groups, in the token's {@code tenants} claim) encrypt or read its
 * documents, whatever roles they hold. A document encrypted before
 * a KEK rotation (through {@code /v1/admin/keys/.../rotate} and re-wrap, the minimum version
 * raised past the one it was wrapped with) still decrypts after it. Forgetting a subject is an
 * admin action.
 */
class FieldEncryptionIT {

    private static final String READER_ROLE = "pii-reader";

    private static Path work;
    private static KeycloakRealm keycloak;
    private static AuthzService service;
    private static String reader;
    private static String readerId;
    private static boolean roleCreated;
    private static final Http HTTP = new Http();

    @BeforeAll
    static void start() throws IOException {
        LocalStack stack = LocalStack.require();
        work = Files.createTempDirectory("portcullis-fields-it-");
        keycloak = new KeycloakRealm(stack);
        if (keycloak.admin().roles().list().stream().noneMatch(r -> READER_ROLE.equals(r.getName()))) {
            RoleRepresentation role = new RoleRepresentation();
            role.setName(READER_ROLE);
            role.setDescription("test role of FieldEncryptionIT: reads pii fields in tenant acme");
            keycloak.admin().roles().create(role);
            roleCreated = true;
        }
        reader = "rita-" + UUID.randomUUID().toString().substring(0, 8);
        UserRepresentation user = new UserRepresentation();
        user.setUsername(reader);
        user.setEnabled(true);
        user.setEmail(reader + "@portcullis.test");
        user.setEmailVerified(true);
        user.setFirstName("Rita");
        user.setLastName("Reader");
        CredentialRepresentation password = new CredentialRepresentation();
        password.setType(CredentialRepresentation.PASSWORD);
        password.setValue(reader);
        password.setTemporary(false);
        user.setCredentials(List.of(password));
        try (Response created = keycloak.admin().users().create(user)) {
            readerId = CreatedResponseUtil.getCreatedId(created);
        }
        keycloak.admin().users().get(readerId).roles().realmLevel()
                .add(List.of(keycloak.admin().roles().get(READER_ROLE).toRepresentation()));
        // A member of acme only, although globex grants pii-reader as well (policies/fields data).
        keycloak.admin().users().get(readerId).joinGroup(keycloak.admin().getGroupByPath("/tenants/acme").getId());
        service = WiredService.withFields(WiredService.withKeys(WiredService.withVault(stack, work)), work).start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (keycloak != null) {
            if (readerId != null) {
                keycloak.admin().users().get(readerId).remove();
            }
            if (roleCreated) {
                keycloak.admin().roles().deleteRole(READER_ROLE);
            }
            keycloak.close();
        }
    }

    @Test
    void aliceGetsMaskedValuesAReaderWithTheGrantGetsClearValuesAndEachCallIsAuditedWithoutValues() {
        // Odd spacing and member order on purpose: bytes outside the encrypted fields are kept.
        String document = "{\"name\" :  \"Ada Lovelace\", \"email\":\"ada@example.test\", \"diagnoses\": [\"D-17\"],"
                + " \"billing\": {\"card\": \"4111111111111111\"}, \"note\":   \"keep me\" }";
        Http.Answer encrypted = encrypt("alice", "p-100", "ada", document);
        assertThat(encrypted.status()).as(encrypted.body()).isEqualTo(200);
        String stored = encrypted.body().substring("{\"document\":".length(), encrypted.body().indexOf(",\"fields\":"));
        JsonNode storedJson = Http.JSON.readTree(stored);
        assertThat(storedJson.path("name").asString()).startsWith("pcf:");
        assertThat(storedJson.path("billing").path("card").asString()).startsWith("pcf:");
        assertThat(stored).contains("\"note\":   \"keep me\" }").doesNotContain("Ada Lovelace").doesNotContain("4111111111111111");

        Http.Answer forAlice = decrypt("alice", "p-100", stored);
        Http.Answer forReader = decrypt(reader, "p-100", stored);

        assertThat(forAlice.status()).as(forAlice.body()).isEqualTo(200);
        JsonNode aliceView = forAlice.json();
        assertThat(aliceView.path("document").path("name").asString()).isEqualTo("***");
        assertThat(aliceView.path("document").path("email").asString()).isEqualTo("***");
        assertThat(aliceView.path("document").path("note").asString()).isEqualTo("keep me");
        assertThat(aliceView.path("fields")).allSatisfy(f -> assertThat(f.path("status").asString()).isEqualTo("masked"));

        assertThat(forReader.status()).as(forReader.body()).isEqualTo(200);
        JsonNode readerView = forReader.json();
        assertThat(readerView.path("document").path("name").asString()).isEqualTo("Ada Lovelace");
        assertThat(readerView.path("document").path("email").asString()).isEqualTo("ada@example.test");
        assertThat(readerView.path("document").path("diagnoses").get(0).asString()).as("phi: not granted").isEqualTo("***");
        assertThat(readerView.path("document").path("billing").path("card").asString()).as("pci: not granted").isEqualTo("***");
        assertThat(readerView.path("policy_reasons").toString()).contains("pii-reader");

        List<AuditEvent> events = service.audit().events();
        AuditEvent encryptEvent = only(events, EventType.FIELD_ENCRYPT, "alice", "fields/patient/p-100");
        assertThat(encryptEvent.outcome()).isEqualTo(Outcome.SUCCESS);
        AuditEvent aliceDecrypt = only(events, EventType.FIELD_DECRYPT, "alice", "fields/patient/p-100");
        assertThat(aliceDecrypt.attributes()).containsEntry("clear", 0L).containsEntry("masked", 4L);
        AuditEvent readerDecrypt = only(events, EventType.FIELD_DECRYPT, reader, "fields/patient/p-100");
        assertThat(readerDecrypt.attributes().get("clear_classes")).isEqualTo(List.of("pii"));
        assertThat(readerDecrypt.attributes().get("masked_classes")).isEqualTo(List.of("pci", "phi"));
        for (AuditEvent event : List.of(encryptEvent, aliceDecrypt, readerDecrypt)) {
            assertThat(service.audit().logged(event.id())).doesNotContain("Ada Lovelace").doesNotContain("ada@example.test")
                    .doesNotContain("4111111111111111").doesNotContain("pcf:");
        }
    }

    @Test
    void onlyATenantsMembersEncryptOrReadItsDocumentsWhateverRolesTheyHold() {
        // orders-service's service account belongs to acme and globex (terraform/environments/dev).
        String ordersService = keycloak.clientCredentialsToken("orders-service", LocalStack.require().get("keycloak.orders-service.secret"));
        String document = "{\"name\": \"Ada Lovelace\", \"email\": \"ada@example.test\"}";
        Http.Answer inGlobex = encrypt("globex", ordersService, "g-100", "ada", document);
        assertThat(inGlobex.status()).as(inGlobex.body()).isEqualTo(200);

        // The reader holds pii-reader, which globex grants, but belongs to acme only.
        Http.Answer outsider = decrypt("globex", reader, "g-100", stored(inGlobex));
        // Alice belongs to acme only: globex's keys are not hers to use either.
        Http.Answer aliceInGlobex = encrypt("globex", token("alice"), "g-101", "ada", document);

        assertThat(outsider.status()).as(outsider.body()).isEqualTo(403);
        assertThat(outsider.json().path("policy_reasons").toString()).isEqualTo("[\"not_a_tenant_member\"]");
        assertThat(outsider.body()).doesNotContain("Ada Lovelace").doesNotContain("pcf:");
        assertThat(aliceInGlobex.status()).as(aliceInGlobex.body()).isEqualTo(403);
        assertThat(aliceInGlobex.json().path("error").asString()).isEqualTo("policy_denied");
        AuditEvent refused = only(service.audit().events(), EventType.FIELD_ENCRYPT, "alice", "fields/patient/g-101");
        assertThat(refused.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(refused.attributes()).containsEntry("tenant", "globex")
                .containsEntry("policy_reasons", List.of("not_a_tenant_member"));
        assertThat(only(service.audit().events(), EventType.FIELD_DECRYPT, reader, "fields/patient/g-100").outcome())
                .isEqualTo(Outcome.FAILURE);
    }

    @Test
    void aDocumentEncryptedBeforeAKekRotationStillDecryptsAfterIt() {
        Http.Answer encrypted = encrypt("alice", "p-200", "ada", "{\"name\": \"Ada Lovelace\", \"email\": \"ada@example.test\"}");
        assertThat(encrypted.status()).as(encrypted.body()).isEqualTo(200);
        String stored = encrypted.body().substring("{\"document\":".length(), encrypted.body().indexOf(",\"fields\":"));
        int wrappedUnder = kekStatus().path("latest_version").asInt();

        // Two rotations with two decryptable versions: the version the data keys were first wrapped
        // under falls below min_decryption_version, so only their re-wrapped copies can be read.
        for (int i = 0; i < 2; i++) {
            Http.Answer rotated = HTTP.post(service.uri("/v1/admin/keys/portcullis-fields/rotate"),
                    keycloak.accessToken("sec-admin"), null);
            assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        }
        Http.Answer rewrap = HTTP.post(service.uri("/v1/admin/keys/portcullis-fields/rewrap"), keycloak.accessToken("sec-admin"), null);
        assertThat(rewrap.status()).isEqualTo(200);
        assertThat(rewrap.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        String[] lines = rewrap.body().strip().split("\n");
        JsonNode result = Http.JSON.readTree(lines[lines.length - 1]);
        assertThat(result.path("event").asString()).isEqualTo("result");
        assertThat(result.path("complete").asBoolean()).isTrue();
        JsonNode after = kekStatus();
        assertThat(after.path("min_decryption_version").asInt()).isGreaterThan(wrappedUnder);
        assertThat(new FileDataKeyRepository(work.resolve("field-keys")).listWrappedKeys())
                .allSatisfy(k -> assertThat(k.wrapped().kekVersion()).isEqualTo(after.path("latest_version").asInt()));

        Http.Answer decrypted = decrypt(reader, "p-200", stored);

        assertThat(decrypted.status()).as(decrypted.body()).isEqualTo(200);
        assertThat(decrypted.json().path("document").path("name").asString()).isEqualTo("Ada Lovelace");
    }

    @Test
    void forgettingASubjectIsAnAuditedAdminActionAndTheirFieldsReadAsForgotten() {
        Http.Answer encrypted = encrypt("alice", "p-300", "grace", "{\"name\": \"Grace Hopper\", \"email\": \"grace@example.test\"}");
        assertThat(encrypted.status()).as(encrypted.body()).isEqualTo(200);
        String stored = encrypted.body().substring("{\"document\":".length(), encrypted.body().indexOf(",\"fields\":"));
        String body = "{\"tenant\": \"acme\", \"subject\": \"grace\"}";

        Http.Answer byAlice = HTTP.post(service.uri("/v1/admin/fields/forget-subject"), keycloak.accessToken("alice"), body);
        Http.Answer byAdmin = HTTP.post(service.uri("/v1/admin/fields/forget-subject"), keycloak.accessToken("sec-admin"), body);

        assertThat(byAlice.status()).isEqualTo(403);
        assertThat(byAdmin.status()).as(byAdmin.body()).isEqualTo(200);
        assertThat(byAdmin.json().path("destroyed").asBoolean()).isTrue();
        JsonNode view = decrypt(reader, "p-300", stored).json();
        assertThat(view.path("document").path("name").asString()).isEqualTo("***");
        assertThat(view.path("fields").toString()).contains("forgotten");
        assertThat(view.path("document").path("email").asString()).as("tenant-keyed: still readable").isEqualTo("grace@example.test");
        AuditEvent forgotten = service.audit().event(byAdmin.json().path("audit_event_id").asString());
        assertThat(forgotten.type()).isEqualTo(EventType.SUBJECT_FORGOTTEN);
        assertThat(forgotten.actor().subject()).isEqualTo("sec-admin");
        assertThat(service.audit().logged(forgotten.id())).doesNotContain("grace");
    }

    @Test
    void badRequestsGetPreciseErrorsAndATamperedCiphertextFailsTheWholeDocument() {
        Http.Answer encrypted = encrypt("alice", "p-400", "ada", "{\"name\": \"Ada Lovelace\"}");
        String stored = encrypted.body().substring("{\"document\":".length(), encrypted.body().indexOf(",\"fields\":"));
        String ciphertext = Http.JSON.readTree(stored).path("name").asString();
        // One bit of the tag flipped. (Changing the text's last character instead would, one time in
        // four, touch only the bits beyond the data: refused too, but as malformed base64url.)
        byte[] raw = Base64.getUrlDecoder().decode(ciphertext.substring("pcf:".length()));
        raw[raw.length - 1] ^= 1;
        String tampered = stored.replace(ciphertext, "pcf:" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));

        Http.Answer tamper = decrypt(reader, "p-400", tampered);
        Http.Answer moved = decrypt(reader, "p-401", stored);
        Http.Answer unknownMember = HTTP.post(service.uri("/v1/fields/encrypt"), keycloak.accessToken("alice"),
                "{\"tenant\": \"acme\", \"document_type\": \"patient\", \"document\": {}, \"as\": \"root\"}");
        Http.Answer notJson = HTTP.post(service.uri("/v1/fields/decrypt"), keycloak.accessToken("alice"), "{\"tenant\": ");
        Http.Answer anonymous = HTTP.post(service.uri("/v1/fields/decrypt"), null,
                "{\"tenant\": \"acme\", \"document_type\": \"patient\", \"document\": {}}");

        assertThat(tamper.status()).isEqualTo(422);
        assertThat(tamper.json().path("error").asString()).isEqualTo("authentication_failed");
        assertThat(tamper.body()).doesNotContain("document\":");
        assertThat(moved.status()).as("a ciphertext moved to another record").isEqualTo(422);
        assertThat(unknownMember.status()).isEqualTo(400);
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(anonymous.status()).isIn(401, 403);
        assertThat(service.audit().events()).filteredOn(e -> e.type() == EventType.FIELD_DECRYPT
                        && "fields/patient/p-400".equals(e.resource()) && e.outcome() == Outcome.FAILURE)
                .singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("authentication_failed"));
    }

    private static Http.Answer encrypt(String user, String recordId, String subject, String document) {
        return encrypt("acme", token(user), recordId, subject, document);
    }

    private static Http.Answer encrypt(String tenant, String token, String recordId, String subject, String document) {
        String body = "{\"tenant\": \"" + tenant + "\", \"document_type\": \"patient\", \"record_id\": \"" + recordId
                + "\", \"subject\": \"" + subject + "\", \"document\": " + document + "}";
        return HTTP.post(service.uri("/v1/fields/encrypt"), token, body);
    }

    private static Http.Answer decrypt(String user, String recordId, String document) {
        return decrypt("acme", user, recordId, document);
    }

    private static Http.Answer decrypt(String tenant, String user, String recordId, String document) {
        String body = "{\"tenant\": \"" + tenant + "\", \"document_type\": \"patient\", \"record_id\": \"" + recordId
                + "\", \"document\": " + document + "}";
        return HTTP.post(service.uri("/v1/fields/decrypt"), token(user), body);
    }

    private static String stored(Http.Answer encrypted) {
        return encrypted.body().substring("{\"document\":".length(), encrypted.body().indexOf(",\"fields\":"));
    }

    private static String token(String user) {
        return user.equals(reader) ? keycloak.passwordGrant(KeycloakRealm.CLI_CLIENT, reader, reader).get("access_token").stringValue()
                : keycloak.accessToken(user);
    }

    private static JsonNode kekStatus() {
        Http.Answer answer = HTTP.get(service.uri("/v1/admin/keys/portcullis-fields"), keycloak.accessToken("sec-admin"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static AuditEvent only(List<AuditEvent> events, EventType type, String subject, String resource) {
        List<AuditEvent> found = events.stream().filter(e -> e.type() == type && subject.equals(e.actor().subject())
                && resource.equals(e.resource())).toList();
        assertThat(found).as(type + " by " + subject + " on " + resource).hasSize(1);
        return found.get(0);
    }
}
