package dev.portcullis.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.AesSiv;

import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.internal.DerivedKeys;
import dev.portcullis.fields.internal.Envelope;
import dev.portcullis.fields.internal.JceAesGcm;

/**
 * The format's bodies against Google Tink's primitives, an implementation independent of this
 * one (besides {@code check_vectors.py}'s Python {@code cryptography}): {@code docs/field-encryption.md}
 * says a ciphertext's body is what Tink's {@code AesGcmJce} (nonce, ciphertext, tag) and
 * {@code AesSiv} (SIV, ciphertext) read and write under the derived keys and the associated data
 * the spec defines. Both directions, both modes.
 */
class TinkInteropTest {

    private static final byte[] PLAINTEXT = "{\"name\":\"Ada Lovelace\"}".getBytes(StandardCharsets.UTF_8);

    private final FieldCipher cipher = new FieldCipher(SpecTestVectorsTest.FIXED, new JceAesGcm(), new SecureRandom(),
            1 << 20);
    private final DerivedKeys keys = SpecTestVectorsTest.FIXED.primary("t:acme");
    private final FieldContext ctx = new FieldContext("acme", "r-1", "$['patients'][4]['name']");

    @Test
    void tinkAesGcmDecryptsARandomizedBodyAndWritesOneThatDecrypts() throws GeneralSecurityException {
        byte[] header = Envelope.header(EncryptionMode.RANDOMIZED, "t:acme", 1);
        byte[] ad = Envelope.associatedData(header, header.length, EncryptionMode.RANDOMIZED, ctx, ctx.fieldPath());
        AesGcmJce tink = new AesGcmJce(keys.aeadKey());

        byte[] ours = cipher.encryptToBinary("t:acme", PLAINTEXT, ctx);
        assertThat(Arrays.copyOf(ours, header.length)).isEqualTo(header);
        assertThat(tink.decrypt(Arrays.copyOfRange(ours, header.length, ours.length), ad)).isEqualTo(PLAINTEXT);

        byte[] theirs = concat(header, tink.encrypt(PLAINTEXT, ad));
        assertThat(cipher.decryptBinary(theirs, ctx, EncryptionMode.RANDOMIZED)).isEqualTo(PLAINTEXT);
        // Bound to the record: Tink's body under another record's context does not decrypt here.
        assertThatThrownBy(() -> cipher.decryptBinary(theirs, new FieldContext("acme", "r-2", ctx.fieldPath())))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.AUTHENTICATION_FAILED));
    }

    @Test
    void tinkAesSivWritesTheSameDeterministicBodyAndDecryptsOurs() throws GeneralSecurityException {
        byte[] header = Envelope.header(EncryptionMode.DETERMINISTIC, "t:acme", 1);
        // The deterministic mode binds the path with array indexes generalized, and no record id.
        byte[] ad = Envelope.associatedData(header, header.length, EncryptionMode.DETERMINISTIC, ctx,
                "$['patients'][*]['name']");
        AesSiv tink = new AesSiv(keys.sivKey());

        byte[] ours = cipher.encryptDeterministicallyToBinary("t:acme", PLAINTEXT, ctx);
        byte[] theirs = concat(header, tink.encryptDeterministically(PLAINTEXT, ad));
        assertThat(theirs).isEqualTo(ours);
        assertThat(tink.decryptDeterministically(Arrays.copyOfRange(ours, header.length, ours.length), ad))
                .isEqualTo(PLAINTEXT);
        assertThat(cipher.decrypt(FieldCipher.toText(theirs), ctx)).isEqualTo(PLAINTEXT);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
