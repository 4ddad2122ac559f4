package dev.portcullis.authz.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompactSpellingTest {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /** The reference: a text is canonical when decoding and re-encoding it gives it back. */
    private static boolean roundTrips(String part) {
        try {
            byte[] decoded = Base64.getUrlDecoder().decode(part);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded).equals(part);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void agreesWithADecodeAndReencodeForEveryLastCharacterAtEveryLength() {
        Random random = new Random(6962);
        for (int length = 0; length <= 9; length++) {
            for (char last : (ALPHABET + "=.+/ é").toCharArray()) {
                StringBuilder part = new StringBuilder();
                for (int i = 0; i < length; i++) {
                    part.append(ALPHABET.charAt(random.nextInt(64)));
                }
                String text = length == 0 ? "" : part.substring(0, length - 1) + last;
                if (text.indexOf('.') >= 0) {
                    continue; // a separator, not part of one part
                }
                String token = text + "." + text + "." + text;
                assertThat(CompactSpelling.problem(token) == null)
                        .as("canonical verdict for a part %s", text)
                        .isEqualTo(roundTrips(text));
            }
        }
    }

    @Test
    void namesThePartThatIsMisspelled() {
        String good = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {1, 2, 3, 4});
        assertThat(CompactSpelling.problem(good + "." + good + "." + good)).isNull();
        assertThat(CompactSpelling.problem(good + "." + good + ".")).isNull();
        assertThat(CompactSpelling.problem(good + "==." + good + "." + good)).startsWith("part 1 ").contains("padding");
        assertThat(CompactSpelling.problem(good + "." + good + "." + good.substring(0, good.length() - 1) + "B"))
                .startsWith("part 3 ").contains("bits beyond its data");
        assertThat(CompactSpelling.problem(good + "." + good + "AAA." + good)).startsWith("part 2 ").contains("length");
    }
}
