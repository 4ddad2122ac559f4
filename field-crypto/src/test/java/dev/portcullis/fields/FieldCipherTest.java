package dev.portcullis.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.testing.Fixtures;

class FieldCipherTest {

    @TempDir
    Path dir;

    private Fixtures f;
    private String keyset;
    private final FieldContext ctx = new FieldContext("acme", "rec-1", "$['name']");
    private final byte[] value = "\"Ada Lovelace\"".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() {
        f = new Fixtures(dir);
        keyset = f.keyring.tenantKeyset("acme");
    }

    private String encrypt(EncryptionMode mode, byte[] plaintext, FieldContext context) {
        return mode == EncryptionMode.RANDOMIZED ? f.cipher.encrypt(keyset, plaintext, context)
                : f.cipher.encryptDeterministically(keyset, plaintext, context);
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void decryptReturnsWhatWasEncrypted(EncryptionMode mode) {
        for (String v : new String[] {"\"\"", "\"x\"", "42", "-1.50e3", "true", "null", "{\"a\":[1,2]}", "[]"}) {
            byte[] plaintext = v.getBytes(StandardCharsets.UTF_8);
            String ct = encrypt(mode, plaintext, ctx);
            assertThat(ct).startsWith("pcf:");
            assertThat(f.cipher.decrypt(ct, ctx)).isEqualTo(plaintext);
            assertThat(f.cipher.describe(ct, "$").mode()).isEqualTo(mode);
            assertThat(f.cipher.describe(ct, "$").keyName()).isEqualTo("t:acme");
        }
    }

    @Test
    void encryptIsRandomizedAndEncryptDeterministicallyIsNot() {
        assertThat(f.cipher.encrypt(keyset, value, ctx)).isNotEqualTo(f.cipher.encrypt(keyset, value, ctx));
        assertThat(f.cipher.encryptDeterministically(keyset, value, ctx))
                .isEqualTo(f.cipher.encryptDeterministically(keyset, value, ctx));
    }

    @Test
    void encryptGivesEveryCiphertextItsOwnNonceAcrossNonceBufferRefills() {
        // The default cipher draws nonces 341 at a time: 1,000 encryptions span three refills.
        java.util.Set<String> nonces = new java.util.HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            byte[] bytes = java.util.Base64.getUrlDecoder().decode(f.cipher.encrypt(keyset, value, ctx).substring(4));
            int nonceStart = 7 + (bytes[2] & 0xff); // after version, mode, name length, name, key version
            nonces.add(java.util.HexFormat.of().formatHex(bytes, nonceStart, nonceStart + 12));
        }
        assertThat(nonces).hasSize(1_000).doesNotContain("000000000000000000000000");
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void decryptWhenAnyBitOfTheCiphertextFlippedThenCleanError(EncryptionMode mode) {
        byte[] bytes = decode(encrypt(mode, value, ctx));
        Set<Code> allowed = EnumSet.of(Code.AUTHENTICATION_FAILED, Code.MALFORMED_CIPHERTEXT,
                Code.UNSUPPORTED_FORMAT_VERSION, Code.WRONG_MODE, Code.UNKNOWN_KEY, Code.UNKNOWN_KEY_VERSION);
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] changed = bytes.clone();
            changed[bit / 8] ^= (byte) (1 << (bit % 8));
            String tampered = encode(changed);
            assertThatThrownBy(() -> f.cipher.decrypt(tampered, ctx))
                    .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(allowed).contains(e.code()));
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void decryptWhenTruncatedAtAnyLengthThenCleanError(EncryptionMode mode) {
        String ct = encrypt(mode, value, ctx);
        byte[] bytes = decode(ct);
        for (int length = 0; length < bytes.length; length++) {
            String truncated = encode(java.util.Arrays.copyOf(bytes, length));
            assertThatThrownBy(() -> f.cipher.decrypt(truncated, ctx))
                    .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(e.code())
                            .isIn(Code.MALFORMED_CIPHERTEXT, Code.AUTHENTICATION_FAILED));
        }
        for (int chars = 0; chars < ct.length(); chars++) {
            String cut = ct.substring(0, chars);
            assertThatThrownBy(() -> f.cipher.decrypt(cut, ctx)).isInstanceOf(FieldCryptoException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void decryptWhenMovedToAnotherFieldOrTenantThenAuthenticationFails(EncryptionMode mode) {
        String ct = encrypt(mode, value, ctx);
        assertThatThrownBy(() -> f.cipher.decrypt(ct, ctx.withFieldPath("$['email']")))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
        f.keyring.tenantKeyset("globex");
        assertThatThrownBy(() -> f.cipher.decrypt(ct, new FieldContext("globex", "rec-1", "$['name']")))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
    }

    @Test
    void decryptWhenRandomizedCiphertextMovedToAnotherRecordThenAuthenticationFails() {
        String ct = f.cipher.encrypt(keyset, value, ctx);
        assertThatThrownBy(() -> f.cipher.decrypt(ct, new FieldContext("acme", "rec-2", "$['name']")))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
    }

    /** By design (equality search across records): documented in EncryptionMode.DETERMINISTIC. */
    @Test
    void decryptWhenDeterministicCiphertextMovedToAnotherRecordThenStillDecrypts() {
        String ct = f.cipher.encryptDeterministically(keyset, value, ctx);
        FieldContext other = new FieldContext("acme", "rec-2", "$['name']");
        assertThat(f.cipher.encryptDeterministically(keyset, value, other)).isEqualTo(ct);
        assertThat(f.cipher.decrypt(ct, other)).isEqualTo(value);
    }

    @Test
    void deterministicCiphertextsIgnoreArrayPositions() {
        FieldContext first = new FieldContext("acme", "rec-1", "$['emails'][0]");
        FieldContext third = new FieldContext("acme", "rec-1", "$['emails'][2]");
        assertThat(f.cipher.encryptDeterministically(keyset, value, first))
                .isEqualTo(f.cipher.encryptDeterministically(keyset, value, third));
    }

    @Test
    void decryptWhenDeterministicCiphertextFedToRandomizedThenWrongMode() {
        String ct = f.cipher.encryptDeterministically(keyset, value, ctx);
        assertThatThrownBy(() -> f.cipher.decrypt(ct, ctx, EncryptionMode.RANDOMIZED))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(e.code()).isEqualTo(Code.WRONG_MODE));
    }

    @Test
    void decryptWhenModeOctetRewrittenThenAuthenticationFails() {
        // A deterministic body relabelled as randomized (and vice versa) must not decrypt either.
        byte[] bytes = decode(f.cipher.encryptDeterministically(keyset, value, ctx));
        bytes[1] = EncryptionMode.RANDOMIZED.wireValue();
        String relabelled = encode(bytes);
        assertThatThrownBy(() -> f.cipher.decrypt(relabelled, ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
    }

    @Test
    void decryptWhenKeyVersionUnknownThenUnknownKeyVersion() {
        byte[] bytes = decode(f.cipher.encrypt(keyset, value, ctx));
        int p = 3 + (bytes[2] & 0xff);
        bytes[p + 3] = 7;
        String future = encode(bytes);
        assertThatThrownBy(() -> f.cipher.decrypt(future, ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.UNKNOWN_KEY_VERSION));
    }

    @Test
    void decryptWhenFormatVersionIsNotOneThenUnsupportedFormatVersion() {
        byte[] bytes = decode(f.cipher.encrypt(keyset, value, ctx));
        bytes[0] = 2;
        String v2 = encode(bytes);
        assertThatThrownBy(() -> f.cipher.decrypt(v2, ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.UNSUPPORTED_FORMAT_VERSION);
                    assertThat(e.getMessage()).contains("version 2");
                });
    }

    @Test
    void decryptWhenNotBase64OrNoPrefixThenMalformed() {
        assertThatThrownBy(() -> f.cipher.decrypt("pcf:***", ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
        assertThatThrownBy(() -> f.cipher.decrypt("Ada", ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
    }

    @Test
    void errorsNeverContainTheValue() {
        String ct = f.cipher.encrypt(keyset, value, ctx);
        assertThatThrownBy(() -> f.cipher.decrypt(ct, ctx.withFieldPath("$['other']")))
                .hasMessageNotContaining("Ada").hasMessageNotContaining(ct.substring(4));
    }

    @Test
    void decryptAfterDataKeyRotationUsesTheOldVersionAndEncryptUsesTheNew() {
        String before = f.cipher.encrypt(keyset, value, ctx);
        assertThat(f.keyring.rotateDataKey(keyset)).isEqualTo(2);
        String after = f.cipher.encrypt(keyset, value, ctx);
        assertThat(f.cipher.describe(before, "$").keyVersion()).isEqualTo(1);
        assertThat(f.cipher.describe(after, "$").keyVersion()).isEqualTo(2);
        assertThat(f.cipher.decrypt(before, ctx)).isEqualTo(value);
        assertThat(f.cipher.decrypt(after, ctx)).isEqualTo(value);
    }

    @Test
    void blindIndexIsEqualForEqualValuesAndDiffersAcrossFieldsAndTenants() {
        String a = f.cipher.blindIndex(keyset, 0, "acme", "$['email']", value);
        assertThat(a).startsWith("pbi:1:").isEqualTo(f.cipher.blindIndex(keyset, 0, "acme", "$['email']", value));
        assertThat(a).isNotEqualTo(f.cipher.blindIndex(keyset, 0, "acme", "$['name']", value));
        assertThat(a).isNotEqualTo(f.cipher.blindIndex(keyset, 0, "globex", "$['email']", value));
        assertThat(a).isNotEqualTo(f.cipher.blindIndex(keyset, 0, "acme", "$['email']", "\"x\"".getBytes()));
    }

    @Test
    void encryptRefusesValuesOverTheLimit() {
        FieldCipher small = new FieldCipher(f.keyring, new dev.portcullis.fields.internal.JceAesGcm(),
                new java.security.SecureRandom(), 8);
        assertThatThrownBy(() -> small.encrypt(keyset, new byte[9], ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.INVALID_ARGUMENT));
    }

    private byte[] encryptToBinary(EncryptionMode mode, byte[] plaintext, FieldContext context) {
        return mode == EncryptionMode.RANDOMIZED ? f.cipher.encryptToBinary(keyset, plaintext, context)
                : f.cipher.encryptDeterministicallyToBinary(keyset, plaintext, context);
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void binaryFormDecryptsAndConvertsToAndFromTheTextForm(EncryptionMode mode) {
        for (String v : new String[] {"\"\"", "42", "{\"a\":[1,2]}"}) {
            byte[] plaintext = v.getBytes(StandardCharsets.UTF_8);
            byte[] binary = encryptToBinary(mode, plaintext, ctx);
            assertThat(f.cipher.decryptBinary(binary, ctx)).isEqualTo(plaintext);
            assertThat(f.cipher.decryptBinary(binary, ctx, mode)).isEqualTo(plaintext);
            assertThat(f.cipher.decrypt(FieldCipher.toText(binary), ctx)).isEqualTo(plaintext);
            String text = encrypt(mode, plaintext, ctx);
            assertThat(f.cipher.decryptBinary(f.cipher.toBinary(text, "$"), ctx)).isEqualTo(plaintext);
            assertThat(FieldCipher.toText(f.cipher.toBinary(text, "$"))).isEqualTo(text);
        }
    }

    @Test
    void binaryFormIsTheBytesUnderTheTextForm() {
        // Deterministic, so both calls give the same ciphertext: the text is "pcf:" + base64url(binary).
        assertThat(encode(f.cipher.encryptDeterministicallyToBinary(keyset, value, ctx)))
                .isEqualTo(f.cipher.encryptDeterministically(keyset, value, ctx));
        assertThat(decode(f.cipher.encrypt(keyset, value, ctx)))
                .hasSameSizeAs(f.cipher.encryptToBinary(keyset, value, ctx));
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void decryptBinaryWhenAnyBitFlippedOrTruncatedThenCleanError(EncryptionMode mode) {
        byte[] bytes = encryptToBinary(mode, value, ctx);
        Set<Code> allowed = EnumSet.of(Code.AUTHENTICATION_FAILED, Code.MALFORMED_CIPHERTEXT,
                Code.UNSUPPORTED_FORMAT_VERSION, Code.WRONG_MODE, Code.UNKNOWN_KEY, Code.UNKNOWN_KEY_VERSION);
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] changed = bytes.clone();
            changed[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> f.cipher.decryptBinary(changed, ctx))
                    .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(allowed).contains(e.code()));
        }
        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = java.util.Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> f.cipher.decryptBinary(truncated, ctx))
                    .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(e.code())
                            .isIn(Code.MALFORMED_CIPHERTEXT, Code.AUTHENTICATION_FAILED));
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void decryptBinaryReadsOnlyItsOwnCiphertextWhateverTheCallBeforeLeftInItsCopy(EncryptionMode mode) {
        // decryptBinary copies into an array the thread reuses: a shorter ciphertext after a longer
        // one must not be completed by the longer one's leftover bytes.
        byte[] longer = "x".repeat(4096).getBytes(StandardCharsets.UTF_8);
        byte[] whole = encryptToBinary(mode, longer, ctx);
        byte[] shorter = encryptToBinary(mode, value, ctx);
        byte[] huge = "y".repeat(100 * 1024).getBytes(StandardCharsets.UTF_8); // beyond the kept copy's size
        byte[] hugeCiphertext = encryptToBinary(mode, huge, ctx);

        assertThat(f.cipher.decryptBinary(whole, ctx)).isEqualTo(longer);
        assertThatThrownBy(() -> f.cipher.decryptBinary(java.util.Arrays.copyOf(whole, whole.length - 1), ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(e.code())
                        .isIn(Code.MALFORMED_CIPHERTEXT, Code.AUTHENTICATION_FAILED));
        assertThat(f.cipher.decryptBinary(shorter, ctx)).isEqualTo(value);
        assertThat(f.cipher.decryptBinary(hugeCiphertext, ctx)).isEqualTo(huge);
        assertThat(f.cipher.decryptBinary(whole, ctx)).isEqualTo(longer);
    }

    @Test
    void decryptBinaryDecryptsWhatItAuthenticatedEvenWhenTheCallersArrayChangesDuringTheCall() throws Exception {
        byte[] plaintext = "z".repeat(4096).getBytes(StandardCharsets.UTF_8);
        byte[] original = f.cipher.encryptToBinary(keyset, plaintext, ctx);
        byte[] shared = original.clone();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread scribbler = new Thread(() -> {
            // Flips the last body byte back and forth: each call sees the original or a changed array.
            int last = shared.length - 17;
            while (!stop.get()) {
                shared[last] ^= 1;
            }
        });
        scribbler.start();
        try {
            for (int i = 0; i < 2000; i++) {
                try {
                    assertThat(f.cipher.decryptBinary(shared, ctx)).isEqualTo(plaintext);
                } catch (FieldCryptoException e) {
                    assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED);
                }
            }
        } finally {
            stop.set(true);
            scribbler.join();
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void decryptBinaryWhenMovedToAnotherFieldOrTenantThenAuthenticationFails(EncryptionMode mode) {
        byte[] binary = encryptToBinary(mode, value, ctx);
        f.keyring.tenantKeyset("globex");
        for (FieldContext other : new FieldContext[] {ctx.withFieldPath("$['email']"),
                new FieldContext("globex", "rec-1", "$['name']")}) {
            assertThatThrownBy(() -> f.cipher.decryptBinary(binary, other))
                    .isInstanceOfSatisfying(FieldCryptoException.class,
                            e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
        }
    }

    @Test
    void decryptBinaryWhenRandomizedMovedToAnotherRecordOrDeterministicFedToRandomizedThenRefused() {
        byte[] randomized = f.cipher.encryptToBinary(keyset, value, ctx);
        assertThatThrownBy(() -> f.cipher.decryptBinary(randomized, new FieldContext("acme", "rec-2", "$['name']")))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
        byte[] deterministic = f.cipher.encryptDeterministicallyToBinary(keyset, value, ctx);
        assertThatThrownBy(() -> f.cipher.decryptBinary(deterministic, ctx, EncryptionMode.RANDOMIZED))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(e.code()).isEqualTo(Code.WRONG_MODE));
    }

    @Test
    void decryptBinaryWhenLongerThanTheLimitThenMalformedBeforeAnyCryptography() {
        FieldCipher small = new FieldCipher(f.keyring, new dev.portcullis.fields.internal.JceAesGcm(),
                new java.security.SecureRandom(), 8);
        byte[] fits = small.encryptToBinary(keyset, new byte[8], ctx);
        assertThat(small.decryptBinary(fits, ctx)).hasSize(8);
        byte[] tooLong = java.util.Arrays.copyOf(fits, 8 + 256 + 1);
        assertThatThrownBy(() -> small.decryptBinary(tooLong, ctx))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT);
                    assertThat(e.getMessage()).contains("longer than the limit");
                });
    }

    @Test
    void toBinaryWhenTextIsMalformedThenMalformed() {
        for (String bad : new String[] {"Ada", "pcf:***", "pcf:AQ=="}) {
            assertThatThrownBy(() -> f.cipher.toBinary(bad, "$['name']"))
                    .isInstanceOfSatisfying(FieldCryptoException.class,
                            e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
        }
    }

    private static byte[] decode(String ct) {
        return Base64.getUrlDecoder().decode(ct.substring(4));
    }

    private static String encode(byte[] bytes) {
        return "pcf:" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
