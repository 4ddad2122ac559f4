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
}
