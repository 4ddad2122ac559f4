package dev.portcullis.authz.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/** The loop gives Spring Security's regular expressions' verdict on every string it is shown. */
class HeaderCharactersTest {

    @Test
    void isAllowedWhenGivenAnySingleUtf16UnitThenAgreesWithTheFirewallsOwnRule() {
        int checked = 0;
        for (int c = 0; c <= 0xFFFF; c++) {
            String one = String.valueOf((char) c);
            assertThat(HeaderCharacters.isAllowedName(one)).as("name U+%04X", c)
                    .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_NAMES.test(one));
            assertThat(HeaderCharacters.isAllowedValue(one)).as("value U+%04X", c)
                    .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(one));
            checked++;
        }
        assertThat(checked).isEqualTo(0x10000);
    }

    @Test
    void isAllowedWhenGivenSupplementaryCodePointsThenAgreesWithTheFirewallsOwnRule() {
        for (int codePoint = 0x10000; codePoint <= Character.MAX_CODE_POINT; codePoint += 97) {
            String text = "a" + Character.toString(codePoint) + "b";
            assertThat(HeaderCharacters.isAllowedValue(text)).as("U+%X", codePoint)
                    .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(text));
            assertThat(HeaderCharacters.isAllowedName(text)).as("U+%X", codePoint)
                    .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_NAMES.test(text));
        }
    }

    @Test
    void isAllowedWhenGivenRandomTextThenAgreesWithTheFirewallsOwnRule() {
        SplittableRandom random = new SplittableRandom(20261204);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(0, 40);
            for (int j = 0; j < length; j++) {
                // Mostly printable ASCII, as real headers are, with controls, tabs, surrogates and
                // unassigned code points mixed in.
                int pick = random.nextInt(10);
                if (pick < 6) {
                    text.append((char) random.nextInt(0x20, 0x7f));
                } else if (pick < 7) {
                    text.append((char) random.nextInt(0, 0x20));
                } else if (pick < 8) {
                    text.append((char) random.nextInt(0xD800, 0xE000));
                } else {
                    text.appendCodePoint(random.nextInt(0x80, Character.MAX_CODE_POINT + 1));
                }
            }
            String candidate = text.toString();
            boolean allowed = StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(candidate);
            assertThat(HeaderCharacters.isAllowedValue(candidate)).as("value %s", candidate.codePoints().boxed().toList())
                    .isEqualTo(allowed);
            assertThat(HeaderCharacters.isAllowedName(candidate)).as("name %s", candidate.codePoints().boxed().toList())
                    .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_NAMES.test(candidate));
            rejected += allowed ? 0 : 1;
        }
        // Both verdicts occur, or the comparison would prove little.
        assertThat(rejected).isBetween(1_000, 19_000);
    }

    @Test
    void isAllowedWhenValueHasATabThenValueYesNameNo() {
        assertThat(HeaderCharacters.isAllowedValue("Bearer\tabc")).isTrue();
        assertThat(HeaderCharacters.isAllowedName("x-a\tb")).isFalse();
        assertThat(HeaderCharacters.isAllowedValue("abc\r\nx-injected: 1")).isFalse();
        assertThat(HeaderCharacters.isAllowedValue("")).isTrue();
    }
}
