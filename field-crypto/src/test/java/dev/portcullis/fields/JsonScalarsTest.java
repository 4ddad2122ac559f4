package dev.portcullis.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

class JsonScalarsTest {

    private static final JsonFactory JACKSON = new JsonFactory();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The reference: Jackson reads exactly one value and nothing after it. */
    private static boolean jacksonReadsOneValue(byte[] text) {
        try (JsonParser p = JACKSON.createParser(ObjectReadContext.empty(), text)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (JacksonException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "false", "null", "0", "-0", "7", "-12", "1041", "0.5", "-3.25", "1e9", "2E-7",
            "6.02e+23", "\"\"", "\"Ada Lovelace\"", "\"ada@example.org\"", "\"~ !#$%&'()*+,-./:;<=>?@[]^_`{|}\""})
    void isPlainScalarAcceptsCommonValues(String value) {
        assertThat(JsonScalars.isPlainScalar(utf8(value))).isTrue();
        assertThat(jacksonReadsOneValue(utf8(value))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "01", "-", "1.", ".5", "1e", "1e+", "+1", "--1", "1.2.3", "NaN", "True",
            "nul", "nulll", "\"", "\"a", "a\"", "\"a\"b\"", "\"a\\\"b\"", "\"tab\there\"", "\"é\"", "{}", "[]",
            "1,2", "true false"})
    void isPlainScalarRefusesEverythingElse(String value) {
        assertThat(JsonScalars.isPlainScalar(utf8(value))).isFalse();
    }

    @Test
    void isPlainScalarRefusesNumbersLongerThanItsLimit() {
        String digits = "1".repeat(JsonScalars.MAX_NUMBER_BYTES);
        assertThat(JsonScalars.isPlainScalar(utf8(digits))).isTrue();
        assertThat(JsonScalars.isPlainScalar(utf8(digits + "1"))).isFalse();
    }

    @Test
    void everyTextIsPlainScalarAcceptsIsOneValueForJackson() {
        // Random short texts over the characters that matter to the grammar: whatever the fast
        // check accepts, the full parser must accept as exactly one value.
        String alphabet = "0123456789-+.eE\" a\\tfrulsn{}[],:\t\u00e9";
        Random random = new Random(20261204L);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(9);
            for (int j = 0; j < length; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            byte[] text = utf8(b.toString());
            if (JsonScalars.isPlainScalar(text)) {
                accepted++;
                assertThat(jacksonReadsOneValue(text)).as(b.toString()).isTrue();
            }
        }
        assertThat(accepted).as("the sample exercises the accepting paths").isGreaterThan(1_000);
    }
}
