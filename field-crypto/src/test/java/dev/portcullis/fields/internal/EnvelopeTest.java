package dev.portcullis.fields.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import dev.portcullis.fields.EncryptionMode;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoException.Code;

class EnvelopeTest {

    private static byte[] envelope(int bodyLength) {
        byte[] header = Envelope.header(EncryptionMode.RANDOMIZED, "t:acme", 3);
        byte[] all = new byte[header.length + bodyLength];
        System.arraycopy(header, 0, all, 0, header.length);
        for (int i = header.length; i < all.length; i++) {
            all[i] = (byte) (i * 31);
        }
        return all;
    }

    @Test
    void encodeIsThePrefixAndUnpaddedBase64urlAndTheQuotedFormIsThatInQuotes() {
        // Every remainder mod 3, so every unpadded tail length is written into place.
        for (int body = 28; body < 34; body++) {
            byte[] env = envelope(body);
            String expected = "pcf:" + Base64.getUrlEncoder().withoutPadding().encodeToString(env);
            assertThat(Envelope.encode(env)).isEqualTo(expected);
            assertThat(new String(Envelope.encodeAscii(env, true), StandardCharsets.US_ASCII))
                    .isEqualTo("\"" + expected + "\"");
            Envelope parsed = Envelope.parse(expected, "$", 1 << 20);
            assertThat(parsed.bytes()).isEqualTo(env);
            assertThat(parsed.keyName()).isEqualTo("t:acme");
            assertThat(parsed.keyVersion()).isEqualTo(3);
        }
    }

    @Test
    void parseRefusesCharactersOutsideTheAlphabetIncludingNonLatin1Ones() {
        String good = Envelope.encode(envelope(28));
        // U+0141's low byte is 'A': a parser that truncated chars to bytes would accept it.
        for (String bad : new String[] {good.substring(0, 10) + "\u0141" + good.substring(11),
                good.substring(0, 10) + "\u00e9" + good.substring(11), good.substring(0, 10) + "+" + good.substring(11)}) {
            assertThatThrownBy(() -> Envelope.parse(bad, "$['x']", 1 << 20))
                    .isInstanceOfSatisfying(FieldCryptoException.class,
                            e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
        }
    }

    @Test
    void parseRefusesEverySpellingButTheOneEncodeWrites() {
        // Bodies of every remainder mod 3: tails with 0, 4 and 2 bits beyond the data.
        for (int body = 28; body < 31; body++) {
            String good = Envelope.encode(envelope(body));
            int tail = (good.length() - "pcf:".length()) % 4;
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            int value = alphabet.indexOf(good.charAt(good.length() - 1));
            int unusedBits = tail == 2 ? 4 : tail == 3 ? 2 : 0;
            for (int bit = 0; bit < unusedBits; bit++) {
                String respelled = good.substring(0, good.length() - 1) + alphabet.charAt(value ^ (1 << bit));
                // The JDK's decoder alone reads it as the same bytes: this is what the check adds.
                assertThat(Base64.getUrlDecoder().decode(respelled.substring(4)))
                        .isEqualTo(Base64.getUrlDecoder().decode(good.substring(4)));
                assertThatThrownBy(() -> Envelope.parse(respelled, "$['x']", 1 << 20))
                        .isInstanceOfSatisfying(FieldCryptoException.class,
                                e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
            }
            String padded = good + "=".repeat((4 - tail) % 4);
            if (tail != 0) {
                assertThatThrownBy(() -> Envelope.parse(padded, "$['x']", 1 << 20))
                        .isInstanceOfSatisfying(FieldCryptoException.class,
                                e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_CIPHERTEXT));
            }
            assertThat(Envelope.parse(good, "$", 1 << 20).bytes()).isEqualTo(envelope(body));
        }
    }
}
