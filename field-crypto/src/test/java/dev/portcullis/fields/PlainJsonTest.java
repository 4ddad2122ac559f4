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

class PlainJsonTest {

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
            "6.02e+23", "\"\"", "\"Ada Lovelace\"", "\"ada@example.org\"", "\"~ !#$%&'()*+,-./:;<=>?@[]^_`{|}\"",
            "{}", "[]", "{\"street\":\"3 Long Street\",\"zip\":\"W1 3\"}", "{ \"a\" : [ 1 , 2.5 , true ] ,\n\"b\":{}}",
            "[[],[{}],null,-1e-2]", "{\"a\":1,\"a\":2}"})
    void isOneValueAcceptsCommonValues(String value) {
        assertThat(PlainJson.isOneValue(utf8(value))).isTrue();
        assertThat(jacksonReadsOneValue(utf8(value))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "01", "-", "1.", ".5", "1e", "1e+", "+1", "--1", "1.2.3", "NaN", "True",
            "nul", "nulll", "truex", "\"", "\"a", "a\"", "\"a\"b\"", "\"a\\\"b\"", "\"tab\there\"", "\"é\"", "1,2",
            "true false", "{", "}", "[", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}",
            "{'a':1}", "{\"a\":1}}", "[1]]", "{\"a\"::1}", "[01]", "[1true]", "{\"\\u0061\":1}", " {}", "{} "})
    void isOneValueRefusesEverythingElse(String value) {
        assertThat(PlainJson.isOneValue(utf8(value))).isFalse();
    }

    @Test
    void isOneValueRefusesWhatIsOverItsLimits() {
        String digits = "1".repeat(PlainJson.MAX_NUMBER_BYTES);
        assertThat(PlainJson.isOneValue(utf8(digits))).isTrue();
        assertThat(PlainJson.isOneValue(utf8(digits + "1"))).isFalse();
        String name = "n".repeat(PlainJson.MAX_NAME_BYTES);
        assertThat(PlainJson.isOneValue(utf8("{\"" + name + "\":1}"))).isTrue();
        assertThat(PlainJson.isOneValue(utf8("{\"" + name + "n\":1}"))).isFalse();
        String deep = "[".repeat(PlainJson.MAX_DEPTH) + "]".repeat(PlainJson.MAX_DEPTH);
        assertThat(PlainJson.isOneValue(utf8(deep))).isTrue();
        assertThat(PlainJson.isOneValue(utf8("[" + deep + "]"))).isFalse();
    }

    @Test
    void everyTextIsOneValueAcceptsIsOneValueForJackson() {
        // Random JSON-like texts, half of them damaged by one byte: whatever the fast check
        // accepts, the full parser must accept as exactly one value.
        String noise = "0123456789-+.eE\" a\\tfrulsn{}[],:\t\n\u00e9x";
        Random random = new Random(20261204L);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder();
            randomValue(random, b, 0);
            if (random.nextBoolean() && b.length() > 0) {
                int at = random.nextInt(b.length());
                char c = noise.charAt(random.nextInt(noise.length()));
                switch (random.nextInt(3)) {
                    case 0 -> b.setCharAt(at, c);
                    case 1 -> b.insert(at, c);
                    default -> b.deleteCharAt(at);
                }
            }
            byte[] text = utf8(b.toString());
            if (PlainJson.isOneValue(text)) {
                accepted++;
                assertThat(jacksonReadsOneValue(text)).as(b.toString()).isTrue();
            } else {
                refused++;
            }
        }
        assertThat(accepted).as("the sample exercises the accepting paths").isGreaterThan(40_000);
        assertThat(refused).as("and the refusing ones").isGreaterThan(20_000);
    }

    private static void randomValue(Random random, StringBuilder b, int depth) {
        switch (random.nextInt(depth < 4 ? 8 : 5)) {
            case 0 -> b.append(random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null");
            case 1 -> b.append(random.nextInt(3) == 0 ? "-" : "").append(random.nextInt(1000))
                    .append(random.nextBoolean() ? "." + random.nextInt(100) : "")
                    .append(random.nextInt(4) == 0 ? "e-" + random.nextInt(20) : "");
            case 2, 3 -> b.append('"').append("ab c/".repeat(random.nextInt(3))).append('"');
            case 4 -> b.append(random.nextInt(10));
            case 5 -> {
                b.append('[').append(random.nextBoolean() ? " " : "");
                int n = random.nextInt(4);
                for (int k = 0; k < n; k++) {
                    b.append(k > 0 ? (random.nextBoolean() ? ", " : ",") : "");
                    randomValue(random, b, depth + 1);
                }
                b.append(']');
            }
            default -> {
                b.append('{');
                int n = random.nextInt(4);
                for (int k = 0; k < n; k++) {
                    b.append(k > 0 ? "," : "").append("\"k").append(random.nextInt(3)).append(random.nextBoolean() ? "\": " : "\":");
                    randomValue(random, b, depth + 1);
                }
                b.append(random.nextBoolean() ? "\n}" : "}");
            }
        }
    }
}
