package dev.portcullis.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.FieldReport.Status;
import dev.portcullis.fields.FieldRule.KeyScope;
import dev.portcullis.fields.testing.Fixtures;

class DocumentCipherTest {

    static final String PATIENT = """
            {
              "id": "p-17",
              "name": "Ada Lovelace",
              "age": 36,
              "weight": 54.50,
              "insured": true,
              "nickname": null,
              "address": {"city": "London", "zip": "W1"},
              "diagnoses": [ {"code": "I10", "note": "ok"}, {"code": "E11", "note": "watch"} ],
              "tags": ["a", "b"],
              "email": "ada@example.org",
              "plain": "stays"
            }""";

    @TempDir
    Path dir;

    private Fixtures f;

    @BeforeEach
    void setUp() {
        f = new Fixtures(dir);
    }

    /** The text of string member {@code name} of a flat document, as written (a ciphertext needs no escapes). */
    private static String stringMember(byte[] document, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(new String(document, StandardCharsets.UTF_8));
        assertThat(m.find()).as("member " + name).isTrue();
        return m.group(1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String outsideCiphertexts(String document) {
        return document.replaceAll("pcf:[A-Za-z0-9_-]*", "pcf:");
    }

    private static List<FieldRule> rules(EncryptionMode mode) {
        return List.of(
                FieldRule.of("$.name", "pii").withMode(mode),
                FieldRule.of("$.age", "pii").withMode(mode),
                FieldRule.of("$.weight", "phi").withMode(mode),
                FieldRule.of("$.insured", "pii").withMode(mode),
                FieldRule.of("$.nickname", "pii").withMode(mode),
                FieldRule.of("$.address", "pii").withMode(mode),
                FieldRule.of("$.diagnoses[*].note", "phi").withMode(mode),
                FieldRule.of("$.tags", "pii").withMode(mode),
                FieldRule.of("$..email", "pii").withMode(mode));
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void roundTripRestoresEveryTypeAndNesting(EncryptionMode mode) {
        DocumentCipher.Encrypted enc = f.documents.encrypt(utf8(PATIENT), rules(mode), "acme", "p-17", null);
        String encrypted = new String(enc.document(), StandardCharsets.UTF_8);
        assertThat(enc.fields()).hasSize(10).allMatch(r -> r.status() == Status.ENCRYPTED && r.mode() == mode);
        // Ciphertexts are random base64url and may spell "Ada" by chance; look for plaintext outside them.
        assertThat(outsideCiphertexts(encrypted)).doesNotContain("Ada", "London", "watch", "54.50", "ada@example.org")
                .contains("\"plain\": \"stays\"", "\"code\": \"I10\"", "\"id\": \"p-17\"");
        DocumentCipher.Decrypted dec = f.documents.decrypt(enc.document(), rules(mode), "acme", "p-17", c -> true);
        assertThat(dec.fields()).hasSize(10).allMatch(r -> r.status() == Status.CLEAR);
        if (mode == EncryptionMode.RANDOMIZED) {
            // Byte for byte, including the spelling 54.50 and the whitespace inside objects.
            assertThat(new String(dec.document(), StandardCharsets.UTF_8)).isEqualTo(PATIENT);
        } else {
            // Canonical (RFC 8785) values: 54.50 becomes 54.5, object whitespace is dropped.
            assertThat(new String(dec.document(), StandardCharsets.UTF_8)).isEqualTo(PATIENT
                    .replace("54.50", "54.5").replace("{\"city\": \"London\", \"zip\": \"W1\"}",
                            "{\"city\":\"London\",\"zip\":\"W1\"}")
                    .replace("[\"a\", \"b\"]", "[\"a\",\"b\"]"));
        }
    }

    @Test
    void encryptKeepsEveryByteOutsideTheSelectedValues() {
        DocumentCipher.Encrypted enc = f.documents.encrypt(utf8(PATIENT), List.of(FieldRule.of("$.name", "pii")),
                "acme", "p-17", null);
        String out = new String(enc.document(), StandardCharsets.UTF_8);
        int start = PATIENT.indexOf("\"Ada Lovelace\"");
        assertThat(out.substring(0, start)).isEqualTo(PATIENT.substring(0, start));
        String tail = PATIENT.substring(start + "\"Ada Lovelace\"".length());
        assertThat(out).endsWith(tail);
    }

    @Test
    void decryptMasksClassesTheCallerMayNotRead() {
        DocumentCipher.Encrypted enc = f.documents.encrypt(utf8(PATIENT), rules(EncryptionMode.RANDOMIZED), "acme",
                "p-17", null);
        DocumentCipher.Decrypted dec = f.documents.decrypt(enc.document(), rules(EncryptionMode.RANDOMIZED), "acme",
                "p-17", Set.of("phi")::contains);
        String out = new String(dec.document(), StandardCharsets.UTF_8);
        assertThat(out).contains("\"name\": \"***\"", "\"weight\": 54.50", "\"note\": \"watch\"", "\"age\": \"***\"")
                .doesNotContain("Ada");
        assertThat(dec.fields()).filteredOn(r -> r.status() == Status.CLEAR).extracting(FieldReport::dataClass)
                .containsOnly("phi");
    }

    @Test
    void decryptNeverDecryptsACiphertextNoRuleClassifies() {
        DocumentCipher.Encrypted enc = f.documents.encrypt(utf8(PATIENT), List.of(FieldRule.of("$.name", "pii")),
                "acme", "p-17", null);
        DocumentCipher.Decrypted dec = f.documents.decrypt(enc.document(), List.of(), "acme", "p-17", c -> true);
        assertThat(dec.fields()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(Status.MASKED);
            assertThat(r.dataClass()).isEqualTo(DocumentCipher.UNCLASSIFIED);
        });
    }

    @Test
    void decryptWhenACiphertextIsMovedToAnotherFieldOrRecordThenFailsWholly() {
        String enc = new String(f.documents.encrypt(utf8("{\"a\":\"x\",\"b\":\"y\"}"),
                List.of(FieldRule.of("$.a", "pii"), FieldRule.of("$.b", "pii")), "acme", "r1", null).document(),
                StandardCharsets.UTF_8);
        List<FieldRule> both = List.of(FieldRule.of("$.a", "pii"), FieldRule.of("$.b", "pii"));
        String swapped = enc.replaceAll("\"a\":\"(pcf:[^\"]*)\",\"b\":\"(pcf:[^\"]*)\"", "\"a\":\"$2\",\"b\":\"$1\"");
        assertThatThrownBy(() -> f.documents.decrypt(utf8(swapped), both, "acme", "r1", c -> true))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED);
                    assertThat(e.getMessage()).contains("$['a']");
                });
        assertThatThrownBy(() -> f.documents.decrypt(utf8(enc), both, "acme", "r2", c -> true))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
    }

    @Test
    void encryptWhenSubjectScopedFieldHasNoSubjectThenSubjectRequired() {
        List<FieldRule> rules = List.of(FieldRule.of("$.name", "pii").withKeyScope(KeyScope.SUBJECT));
        assertThatThrownBy(() -> f.documents.encrypt(utf8(PATIENT), rules, "acme", "p-17", null))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.SUBJECT_REQUIRED));
    }

    @Test
    void encryptWhenValueIsAlreadyACiphertextThenRefuses() {
        byte[] once = f.documents.encrypt(utf8(PATIENT), List.of(FieldRule.of("$.name", "pii")), "acme", "p", null)
                .document();
        assertThatThrownBy(() -> f.documents.encrypt(once, List.of(FieldRule.of("$.name", "pii")), "acme", "p", null))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.ALREADY_ENCRYPTED));
    }

    @Test
    void encryptRefusesFreeTextSpelledLikeACiphertextButKeepsEarlierCiphertexts() {
        List<FieldRule> name = List.of(FieldRule.of("$.name", "pii"));
        List<FieldRule> email = List.of(FieldRule.of("$.email", "pii"));
        assertThatThrownBy(() -> f.documents.encrypt(utf8("{\"name\":\"Ada\",\"comment\":\"pcf:hello\"}"), name,
                "acme", "r1", null)).isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.MALFORMED_DOCUMENT);
                    assertThat(e.getMessage()).contains("$['comment']").contains("reserved");
                });

        // A document encrypted field by field, in two calls: the first call's ciphertext is kept as it is.
        byte[] once = f.documents.encrypt(utf8("{\"name\":\"Ada\",\"email\":\"ada@example.org\"}"), name, "acme", "r1",
                null).document();
        byte[] twice = f.documents.encrypt(once, email, "acme", "r1", null).document();
        List<FieldRule> both = List.of(FieldRule.of("$.name", "pii"), FieldRule.of("$.email", "pii"));
        assertThat(new String(f.documents.decrypt(twice, both, "acme", "r1", c -> true).document(), StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"Ada\",\"email\":\"ada@example.org\"}");
    }

    @Test
    void outerSelectionWinsOverNestedOne() {
        List<FieldRule> rules = List.of(FieldRule.of("$.address", "pii"), FieldRule.of("$.address.city", "phi"));
        DocumentCipher.Encrypted enc = f.documents.encrypt(utf8(PATIENT), rules, "acme", "p-17", null);
        assertThat(enc.fields()).singleElement().extracting(FieldReport::path).isEqualTo("$['address']");
    }

    @Test
    void blindIndexesAreEqualForEqualValuesAcrossRecords() {
        List<FieldRule> rules = List.of(FieldRule.of("$.email", "pii").withBlindIndex(true));
        String a = f.documents.encrypt(utf8("{\"email\":\"x@y\"}"), rules, "acme", "r1", null).blindIndexes()
                .get("$['email']");
        String b = f.documents.encrypt(utf8("{\"email\" : \"x@\\u0079\"}"), rules, "acme", "r2", null).blindIndexes()
                .get("$['email']");
        assertThat(a).startsWith("pbi:").isEqualTo(b);
    }

    @Test
    void decryptWhenSubjectForgottenThenOnlyTheirFieldsAreMaskedAsForgotten() {
        List<FieldRule> rules = List.of(FieldRule.of("$.name", "pii").withKeyScope(KeyScope.SUBJECT),
                FieldRule.of("$.plain", "pii"));
        byte[] ada = f.documents.encrypt(utf8(PATIENT), rules, "acme", "p-17", "ada").document();
        byte[] bob = f.documents.encrypt(utf8(PATIENT.replace("Ada", "Bob")), rules, "acme", "p-18", "bob").document();
        assertThat(f.keyring.forgetSubject("acme", "ada")).isPresent();
        DocumentCipher.Decrypted adaAfter = f.documents.decrypt(ada, rules, "acme", "p-17", c -> true);
        assertThat(adaAfter.fields()).extracting(FieldReport::status).containsExactly(Status.FORGOTTEN, Status.CLEAR);
        assertThat(new String(adaAfter.document(), StandardCharsets.UTF_8)).contains("\"name\": \"***\"",
                "\"plain\": \"stays\"");
        assertThat(new String(f.documents.decrypt(bob, rules, "acme", "p-18", c -> true).document(),
                StandardCharsets.UTF_8)).contains("Bob Lovelace");
    }

    @Test
    void aDocumentInUtf16OrUtf32IsMalformedNotACrash() {
        String json = "{\"name\":\"Ada\"}";
        List<FieldRule> rules = List.of(FieldRule.of("$.name", "pii"));
        for (java.nio.charset.Charset charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                StandardCharsets.UTF_16, java.nio.charset.Charset.forName("UTF-32BE"))) {
            byte[] document = json.getBytes(charset);
            assertThatThrownBy(() -> f.documents.encrypt(document, rules, "acme", "r1", null)).as(charset.name())
                    .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                        assertThat(e.code()).isEqualTo(Code.MALFORMED_DOCUMENT);
                        assertThat(e.getMessage()).contains("not UTF-8");
                    });
            assertThatThrownBy(() -> f.documents.decrypt(document, rules, "acme", "r1", c -> true)).as(charset.name())
                    .isInstanceOfSatisfying(FieldCryptoException.class,
                            e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_DOCUMENT));
        }
    }

    @Test
    void deterministicModeRefusesValuesItsCanonicalFormWouldChange() {
        List<FieldRule> deterministic = List.of(FieldRule.of("$.v", "pii").withMode(EncryptionMode.DETERMINISTIC));
        // 2^53 + 1 is no double; 20 significant digits are more than a double holds; a lone surrogate is no Unicode.
        for (String value : List.of("9007199254740993", "12345678901234567891", "0.12345678901234567891", "\"x\\ud800y\"",
                "{\"n\":[1, 9007199254740993]}")) {
            assertThatThrownBy(() -> f.documents.encrypt(utf8("{\"v\":" + value + "}"), deterministic, "acme", "r1", null))
                    .as(value).isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                        assertThat(e.code()).isEqualTo(Code.MALFORMED_DOCUMENT);
                        assertThat(e.getMessage()).contains("$['v']").contains("would not come back");
                    });
        }
    }

    @Test
    void deterministicModeTakesValuesItsCanonicalFormOnlyRewrites() {
        List<FieldRule> deterministic = List.of(FieldRule.of("$.v", "pii").withMode(EncryptionMode.DETERMINISTIC));
        Map<String, String> rewritten = Map.of("54.50", "54.5", "1e2", "100", "9007199254740992", "9007199254740992",
                "\"\\u0041da\"", "\"Ada\"", "{\"b\":1,\"a\":2.0}", "{\"a\":2,\"b\":1}");
        for (Map.Entry<String, String> value : rewritten.entrySet()) {
            byte[] encrypted = f.documents.encrypt(utf8("{\"v\":" + value.getKey() + "}"), deterministic, "acme", "r1", null)
                    .document();
            assertThat(new String(f.documents.decrypt(encrypted, deterministic, "acme", "r1", c -> true).document(),
                    StandardCharsets.UTF_8)).as(value.getKey()).isEqualTo("{\"v\":" + value.getValue() + "}");
        }
    }

    @Test
    void decryptWhenAForgottenSubjectsCiphertextIsPutInATenantKeyedFieldThenTamperedNotForgotten() {
        // Anyone who can write the stored document can copy a ciphertext naming a destroyed subject
        // key into any field; without the key nothing can be checked, and a tenant-keyed field was
        // never under a subject's key: that is tampering, not a forgotten value to mask.
        List<FieldRule> subjectKeyed = List.of(FieldRule.of("$.name", "pii").withKeyScope(KeyScope.SUBJECT));
        List<FieldRule> tenantKeyed = List.of(FieldRule.of("$.card", "pci"));
        String adasName = stringMember(f.documents.encrypt(utf8("{\"name\":\"Ada\"}"), subjectKeyed,
                "acme", "p-17", "ada").document(), "name");
        byte[] card = f.documents.encrypt(utf8("{\"card\":\"4111 1111 1111 1111\"}"), tenantKeyed, "acme", "p-18", null)
                .document();
        byte[] swapped = utf8("{\"card\":\"" + adasName + "\"}");
        assertThat(f.keyring.forgetSubject("acme", "ada")).isPresent();

        assertThatThrownBy(() -> f.documents.decrypt(swapped, tenantKeyed, "acme", "p-18", c -> true))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED);
                    assertThat(e.getMessage()).contains("$['card']").contains("tenant's key");
                });
        assertThat(f.documents.decrypt(card, tenantKeyed, "acme", "p-18", c -> true).fields())
                .extracting(FieldReport::status).containsExactly(Status.CLEAR);
    }

    @Test
    void decryptWhenACiphertextIsMalformedThenNothingIsDecrypted() {
        byte[] enc = f.documents.encrypt(utf8("{\"a\":\"x\",\"b\":\"y\"}"),
                List.of(FieldRule.of("$.a", "pii")), "acme", "r1", null).document();
        String broken = new String(enc, StandardCharsets.UTF_8).replace("\"b\":\"y\"", "\"b\":\"pcf:!!\"");
        assertThatThrownBy(() -> f.documents.decrypt(utf8(broken), List.of(FieldRule.of("$.*", "pii")), "acme", "r1",
                c -> true)).isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
    }

    @Test
    void decryptWhenACiphertextIsWrittenWithJsonEscapesThenStillDecryptsIt() {
        byte[] enc = f.documents.encrypt(utf8(PATIENT), List.of(FieldRule.of("$.name", "pii")), "acme", "p-17", null)
                .document();
        // The same JSON string with its prefix and a base64url character escaped: equal text, other bytes.
        String text = new String(enc, StandardCharsets.UTF_8);
        int at = text.indexOf("\"pcf:") + 5;
        String escaped = text.substring(0, at - 4) + "\\u0070cf:" + String.format("\\u%04x", (int) text.charAt(at))
                + text.substring(at + 1);
        assertThat(escaped).doesNotContain("\"pcf:");
        DocumentCipher.Decrypted dec = f.documents.decrypt(utf8(escaped), List.of(FieldRule.of("$.name", "pii")),
                "acme", "p-17", c -> true);
        assertThat(dec.fields()).extracting(FieldReport::status).containsExactly(Status.CLEAR);
        assertThat(new String(dec.document(), StandardCharsets.UTF_8)).isEqualTo(PATIENT);
    }

    @Test
    void decryptWhenOnlyTheBase64OfACiphertextHasAnEscapeThenStillDecryptsIt() {
        byte[] enc = f.documents.encrypt(utf8(PATIENT), List.of(FieldRule.of("$.name", "pii")), "acme", "p-17", null)
                .document();
        String text = new String(enc, StandardCharsets.UTF_8);
        int at = text.indexOf("\"pcf:") + 7; // the third base64url character
        String escaped = text.substring(0, at) + String.format("\\u%04x", (int) text.charAt(at))
                + text.substring(at + 1);
        DocumentCipher.Decrypted dec = f.documents.decrypt(utf8(escaped), List.of(FieldRule.of("$.name", "pii")),
                "acme", "p-17", c -> true);
        assertThat(new String(dec.document(), StandardCharsets.UTF_8)).isEqualTo(PATIENT);
    }

    @Test
    void encryptWhenAlreadyEncryptedValueIsWrittenWithEscapesThenStillRefuses() {
        String escaped = "{\"name\":\"p\\u0063f:AQ\"}";
        assertThatThrownBy(() -> f.documents.encrypt(utf8(escaped), List.of(FieldRule.of("$.name", "pii")), "acme",
                "p", null)).isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.ALREADY_ENCRYPTED));
    }

    @Test
    void encryptWhenTheSameRuleListChangesBetweenCallsThenUsesTheNewRules() {
        java.util.ArrayList<FieldRule> rules = new java.util.ArrayList<>(List.of(FieldRule.of("$.name", "pii")));
        assertThat(f.documents.encrypt(utf8(PATIENT), rules, "acme", "p-17", null).fields())
                .extracting(FieldReport::path).containsExactly("$['name']");
        rules.set(0, FieldRule.of("$.email", "pii"));
        assertThat(f.documents.encrypt(utf8(PATIENT), rules, "acme", "p-17", null).fields())
                .extracting(FieldReport::path).containsExactly("$['email']");
        rules.add(FieldRule.of("$.age", "phi"));
        assertThat(f.documents.encrypt(utf8(PATIENT), rules, "acme", "p-17", null).fields())
                .extracting(FieldReport::path, FieldReport::dataClass)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("$['age']", "phi"),
                        org.assertj.core.groups.Tuple.tuple("$['email']", "pii"));
    }

    @Test
    void decryptWhenAPlaintextIsNotOneJsonValueThenRefusesIt() {
        // Written with the field cipher directly, as another producer holding the key could.
        for (String notOneValue : List.of("1, \"x\": 2", "", " ", "tru", "01", "\"a", "{\"a\":1", "1 2", "[1,]")) {
            String ct = f.cipher.encrypt(f.keyring.tenantKeyset("acme"), utf8(notOneValue),
                    new FieldContext("acme", "r1", "$['a']"));
            assertThatThrownBy(() -> f.documents.decrypt(utf8("{\"a\":\"" + ct + "\"}"),
                    List.of(FieldRule.of("$.a", "pii")), "acme", "r1", c -> true))
                    .as(notOneValue).isInstanceOfSatisfying(FieldCryptoException.class,
                            e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
        }
    }
}
