package dev.portcullis.fields.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoException.Code;

class JsonSpansTest {

    private final JsonSpans spans = new JsonSpans();

    private List<JsonSpans.Span> find(String json, String query) {
        JsonPathSelector selector = JsonPathSelector.parse(query);
        return spans.find(json.getBytes(StandardCharsets.UTF_8),
                (path, depth, token, string) -> selector.matches(path, depth) ? selector : null);
    }

    private static String text(String json, JsonSpans.Span span) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new String(bytes, span.start(), span.end() - span.start(), StandardCharsets.UTF_8);
    }

    @Test
    void findReturnsExactByteSpansOfEveryType() {
        String json = "{ \"s\" : \"a\\\"b\" , \"n\":-1.50e3,\"t\":true,\"z\":null,\"o\":{ \"k\" : [1 ,2] },\"a\":[ ]}";
        assertThat(find(json, "$.*")).extracting(s -> text(json, s))
                .containsExactly("\"a\\\"b\"", "-1.50e3", "true", "null", "{ \"k\" : [1 ,2] }", "[ ]");
    }

    @Test
    void findGivesNormalizedPathsWithArrayIndexes() {
        String json = "{\"items\":[{\"n\":\"x\"},{\"n\":\"y\"},{\"m\":1}]}";
        assertThat(find(json, "$.items[*].n")).extracting(JsonSpans.Span::path)
                .containsExactly("$['items'][0]['n']", "$['items'][1]['n']");
        assertThat(find(json, "$.items[*].n")).extracting(JsonSpans.Span::generalizedPath)
                .containsOnly("$['items'][*]['n']");
    }

    @Test
    void findCountsUtf8BytesNotCharacters() {
        String json = "{\"é\":\"ü\",\"x\":\"😀\"}";
        assertThat(find(json, "$.x")).extracting(s -> text(json, s)).containsExactly("\"😀\"");
        assertThat(find(json, "$['é']")).extracting(s -> text(json, s)).containsExactly("\"ü\"");
    }

    @Test
    void findRootScalar() {
        assertThat(find(" 42 ", "$")).extracting(s -> text(" 42 ", s)).containsExactly("42");
    }

    @Test
    void spliceKeepsEveryOtherByte() {
        String json = "{\n  \"a\" : 1,\t\"b\": [true, \"x\"] , \"c\":\"\\u00e9\"\n}";
        List<JsonSpans.Span> found = find(json, "$.b[1]");
        byte[] out = JsonSpans.splice(json.getBytes(StandardCharsets.UTF_8), found,
                List.of("\"Z\"".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo("{\n  \"a\" : 1,\t\"b\": [true, \"Z\"] , \"c\":\"\\u00e9\"\n}");
    }

    @Test
    void findRejectsMalformedDocumentsWithoutEchoingThem() {
        for (String bad : new String[] {"{\"a\":", "{\"a\":1}{", "{\"a\":1,\"a\":2}", "[1,]", "{'a':1}", "",
            "{\"secret-value\" 1}"}) {
            assertThatThrownBy(() -> find(bad, "$.a"))
                    .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                        assertThat(e.code()).isEqualTo(Code.MALFORMED_DOCUMENT);
                        assertThat(e.getMessage()).doesNotContain("secret-value");
                    });
        }
    }

    @Test
    void findEnforcesDepthAndSizeLimits() {
        JsonSpans tight = new JsonSpans(64, 3);
        assertThatThrownBy(() -> tight.find("[[[[1]]]]".getBytes(StandardCharsets.UTF_8), (p, d, t, s) -> null))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_DOCUMENT));
        assertThatThrownBy(() -> tight.find(new byte[65], (p, d, t, s) -> null))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> assertThat(e.getMessage()).contains("limit"));
    }

    @Test
    void findValuesGivesTheSamePathsAndSpansAsFind() {
        String json = "{\"a\":{\"b\":[1,{\"c\":\"x\",\"it's\":[true,null]}],\"d\":2},\"e\":[[3],[4,{\"f\":5}]],\"g\":6}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        List<JsonSpans.Span> viaFind = spans.find(bytes, (path, depth, token, string) -> "x");
        List<JsonSpans.Span> everyScalar = spans.find(bytes, (path, depth, token, string) ->
                token.isScalarValue() ? "x" : null);
        List<JsonSpans.Span> everyScalarByValue = spans.findValues(bytes, (path, depth, token, value) ->
                token.isScalarValue() ? "x" : null);
        assertThat(viaFind).extracting(JsonSpans.Span::path).containsExactly("$");
        assertThat(everyScalarByValue).extracting(JsonSpans.Span::path, JsonSpans.Span::start, JsonSpans.Span::end)
                .containsExactlyElementsOf(everyScalar.stream()
                        .map(s -> org.assertj.core.groups.Tuple.tuple(s.path(), s.start(), s.end())).toList());
        assertThat(everyScalarByValue).extracting(JsonSpans.Span::path).containsExactly("$['a']['b'][0]",
                "$['a']['b'][1]['c']", "$['a']['b'][1]['it\\'s'][0]", "$['a']['b'][1]['it\\'s'][1]", "$['a']['d']",
                "$['e'][0][0]", "$['e'][1][0]", "$['e'][1][1]['f']", "$['g']");
    }

    @Test
    void findValuesKeepsAStringOnlyWhenTheSelectorReadIt() {
        byte[] json = "{\"a\":\"x\",\"b\":\"y\"}".getBytes(StandardCharsets.UTF_8);
        List<JsonSpans.Span> found = spans.findValues(json, (path, depth, token, value) -> {
            if (depth == 1 && "b".equals(path[0])) {
                value.string();
            }
            return depth == 1 ? "x" : null;
        });
        assertThat(found).extracting(JsonSpans.Span::string).containsExactly(null, "y");
    }

    @Test
    void stringStartsWithDecidesFromTheTextWhetherOrNotItIsEscaped() {
        String json = "[\"pcf:a\",\"\\u0070cf:b\",\"pc\\u0066:c\",\"pcf\",\"pcg:\",\"p\u00e9f:\",1,\"\",\"\\\"pcf:\"]";
        List<JsonSpans.Span> found = spans.findValues(json.getBytes(StandardCharsets.UTF_8),
                (path, depth, token, value) -> value.stringStartsWith("pcf:") ? "x" : null);
        assertThat(found).extracting(JsonSpans.Span::path).containsExactly("$[0]", "$[1]", "$[2]");
    }

    @Test
    void findValuesStillRejectsAMalformedStringTheSelectorDidNotRead() {
        byte[] json = "{\"a\":\"bad \\x escape\",\"b\":1}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> spans.findValues(json, (path, depth, token, value) -> null))
                .isInstanceOfSatisfying(FieldCryptoException.class,
                        e -> assertThat(e.code()).isEqualTo(Code.MALFORMED_DOCUMENT));
    }
}
