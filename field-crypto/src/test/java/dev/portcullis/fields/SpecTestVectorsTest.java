package dev.portcullis.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import dev.portcullis.fields.internal.DerivedKeys;
import dev.portcullis.fields.internal.Envelope;
import dev.portcullis.fields.internal.JceAesGcm;
import dev.portcullis.fields.keys.DataKeySource;
import dev.portcullis.keys.SecretBytes;

/**
 * The test vectors of {@code docs/field-encryption.md}, section "Test vectors": fixed data key,
 * fixed nonce, fixed context. The same vectors are checked by an independent implementation
 * (Python's {@code cryptography}: HKDF, AESGCM, AESSIV) in {@code field-crypto/tools/check_vectors.py}.
 */
class SpecTestVectorsTest {

    static final HexFormat HEX = HexFormat.of();
    static final byte[] DATA_KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final byte[] NONCE = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaab");

    /** A key source holding one fixed version: version 1 of keyset t:acme. */
    static final DataKeySource FIXED = new DataKeySource() {
        @Override
        public DerivedKeys primary(String keysetId) {
            return DerivedKeys.derive(SecretBytes.copyOf(DATA_KEY), keysetId, 1);
        }

        @Override
        public DerivedKeys version(String keysetId, int version) {
            return DerivedKeys.derive(SecretBytes.copyOf(DATA_KEY), keysetId, version);
        }
    };

    /** A "random" source that yields the vector's nonce: for reproducing the vector only. */
    static final class FixedNonce extends SecureRandom {
        private static final long serialVersionUID = 1L;

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(NONCE, 0, bytes, 0, bytes.length);
        }
    }

    private final FieldCipher cipher = new FieldCipher(FIXED, new JceAesGcm(), new FixedNonce(), 1 << 20);

    @Test
    void derivedKeys() {
        DerivedKeys k = FIXED.primary("t:acme");
        assertThat(HEX.formatHex(k.aeadKey())).isEqualTo(Vectors.AEAD_KEY);
        assertThat(HEX.formatHex(k.sivKey())).isEqualTo(Vectors.SIV_KEY);
        assertThat(HEX.formatHex(k.blindIndexKey())).isEqualTo(Vectors.BLIND_INDEX_KEY);
    }

    @Test
    void randomizedVector() {
        FieldContext ctx = new FieldContext("acme", "r-1", "$['name']");
        byte[] header = Envelope.header(EncryptionMode.RANDOMIZED, "t:acme", 1);
        assertThat(HEX.formatHex(header)).isEqualTo(Vectors.RANDOMIZED_HEADER);
        assertThat(HEX.formatHex(Envelope.associatedData(header, header.length, EncryptionMode.RANDOMIZED, ctx,
                ctx.fieldPath()))).isEqualTo(Vectors.RANDOMIZED_AD);
        String ct = cipher.encrypt("t:acme", "\"Ada Lovelace\"".getBytes(StandardCharsets.UTF_8), ctx);
        assertThat(ct).isEqualTo(Vectors.RANDOMIZED_CIPHERTEXT);
        assertThat(new String(cipher.decrypt(Vectors.RANDOMIZED_CIPHERTEXT, ctx), StandardCharsets.UTF_8))
                .isEqualTo("\"Ada Lovelace\"");
        // Another cipher (another JDK Cipher): the JDK refuses a second GCM encryption under the same key and nonce.
        FieldCipher again = new FieldCipher(FIXED, new JceAesGcm(), new FixedNonce(), 1 << 20);
        byte[] binary = again.encryptToBinary("t:acme", "\"Ada Lovelace\"".getBytes(StandardCharsets.UTF_8), ctx);
        assertThat(HEX.formatHex(binary)).isEqualTo(Vectors.RANDOMIZED_BINARY);
        assertThat(new String(cipher.decryptBinary(HEX.parseHex(Vectors.RANDOMIZED_BINARY), ctx),
                StandardCharsets.UTF_8)).isEqualTo("\"Ada Lovelace\"");
    }

    @Test
    void deterministicVector() {
        FieldContext ctx = new FieldContext("acme", "r-1", "$['emails'][3]");
        byte[] header = Envelope.header(EncryptionMode.DETERMINISTIC, "t:acme", 1);
        assertThat(HEX.formatHex(Envelope.associatedData(header, header.length, EncryptionMode.DETERMINISTIC, ctx,
                "$['emails'][*]"))).isEqualTo(Vectors.DETERMINISTIC_AD);
        String ct = cipher.encryptDeterministically("t:acme", "\"ada@example.org\"".getBytes(StandardCharsets.UTF_8), ctx);
        assertThat(ct).isEqualTo(Vectors.DETERMINISTIC_CIPHERTEXT);
        byte[] binary = cipher.encryptDeterministicallyToBinary("t:acme",
                "\"ada@example.org\"".getBytes(StandardCharsets.UTF_8), ctx);
        assertThat(HEX.formatHex(binary)).isEqualTo(Vectors.DETERMINISTIC_BINARY);
        assertThat(new String(cipher.decryptBinary(HEX.parseHex(Vectors.DETERMINISTIC_BINARY), ctx),
                StandardCharsets.UTF_8)).isEqualTo("\"ada@example.org\"");
    }

    @Test
    void blindIndexVector() {
        assertThat(cipher.blindIndex("t:acme", 0, "acme", "$['email']",
                "\"ada@example.org\"".getBytes(StandardCharsets.UTF_8))).isEqualTo(Vectors.BLIND_INDEX);
    }

    /** The expected values, exactly as printed in the spec. */
    static final class Vectors {
        static final String AEAD_KEY =
                "b63e5cc49d21dddf63440daab2519fd3cda130f02808cf5f8a9fce9b5639e7cf";
        static final String SIV_KEY =
                "ffed1c37307a17fa8f58e513ada98a3408fc94372a6ec48e8b60a5ce82461f1aee5287d0c7399e20b67fbdba0b6951a8a148dff8b026f310ed9d4fa7e3cb9be1";
        static final String BLIND_INDEX_KEY =
                "8b69eb9cc068c001278650ea3da3ed3885ccdbe56b9b06c608fc50ccf9aa6ae3";
        static final String RANDOMIZED_HEADER =
                "010106743a61636d6500000001";
        static final String RANDOMIZED_AD =
                "706f727463756c6c69732d6669656c64732f763100010106743a61636d6500000001000461636d650003722d310009245b276e616d65275d";
        static final String RANDOMIZED_CIPHERTEXT =
                "pcf:AQEGdDphY21lAAAAAaChoqOkpaanqKmqq6lUUKvTXvJXCOGgvrciA3q-uBL9s_d2tU1Yr2NE1g";
        static final String DETERMINISTIC_AD =
                "706f727463756c6c69732d6669656c64732f763100010206743a61636d6500000001000461636d65000e245b27656d61696c73275d5b2a5d";
        static final String DETERMINISTIC_CIPHERTEXT =
                "pcf:AQIGdDphY21lAAAAAVwzFQwYtqSXxeLRuwg13s4dfiXR4cTZ-U5WYfVfOpExjw";
        static final String RANDOMIZED_BINARY =
                "010106743a61636d6500000001a0a1a2a3a4a5a6a7a8a9aaaba95450abd35ef25708e1a0beb722037abeb812fdb3f776b54d58af6344d6";
        static final String DETERMINISTIC_BINARY =
                "010206743a61636d65000000015c33150c18b6a497c5e2d1bb0835dece1d7e25d1e1c4d9f94e5661f55f3a91318f";
        static final String BLIND_INDEX =
                "pbi:1:XNKRpBKM0kEEbBPgZnytWg";
    }
}
