package dev.portcullis.fields.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.portcullis.fields.FieldCryptoException;

class JsonPathSelectorTest {

    private static boolean matches(String query, Object... path) {
        return JsonPathSelector.parse(query).matches(path, path.length);
    }

    @Test
    void childSegmentsMatchExactly() {
        assertThat(matches("$.a.b", "a", "b")).isTrue();
        assertThat(matches("$['a']['b']", "a", "b")).isTrue();
        assertThat(matches("$[\"a\"].b", "a", "b")).isTrue();
        assertThat(matches("$.a.b", "a")).isFalse();
        assertThat(matches("$.a.b", "a", "b", "c")).isFalse();
        assertThat(matches("$.a", "b")).isFalse();
        assertThat(matches("$", new Object[0])).isTrue();
    }

    @Test
    void indexesAndWildcardsMatchArraysAndObjects() {
        assertThat(matches("$.tags[1]", "tags", 1)).isTrue();
        assertThat(matches("$.tags[1]", "tags", 2)).isFalse();
        assertThat(matches("$.tags[*]", "tags", 7)).isTrue();
        assertThat(matches("$.card.*", "card", "number")).isTrue();
        assertThat(matches("$.items[*].note", "items", 3, "note")).isTrue();
        assertThat(matches("$.items[*].note", "items", "x", "note")).isTrue();
        // An index never matches a member name, even one spelled like a number.
        assertThat(matches("$.a[0]", "a", "0")).isFalse();
    }

    @Test
    void descendantSegmentsMatchAtAnyDepth() {
        assertThat(matches("$..ssn", "ssn")).isTrue();
        assertThat(matches("$..ssn", "a", 3, "b", "ssn")).isTrue();
        assertThat(matches("$..ssn", "a", "ssn", "x")).isFalse();
        assertThat(matches("$..['ssn']", "x", "ssn")).isTrue();
        assertThat(matches("$..*", "x", 1)).isTrue();
        assertThat(matches("$.a..b.c", "a", "x", "b", "c")).isTrue();
        assertThat(matches("$.a..b.c", "a", "b", "x", "c")).isFalse();
    }

    @Test
    void quotedNamesUnescape() {
        assertThat(matches("$['it\\'s']", "it's")).isTrue();
        assertThat(matches("$['a.b']", "a.b")).isTrue();
        assertThat(matches("$['\\u00e9']", "é")).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a.b|starts with '$'",
        "$[?(@.x)]|filter expressions are not supported",
        "$[0:2]|slices and unions are not supported",
        "$[0,1]|slices and unions are not supported",
        "$[-1]|negative indexes",
        "$.|must follow '.'",
        "$['a'|expected ']'",
        "$['a]|unclosed quoted name",
        "$[01]|leading zeros",
        "$x|expected '.' or '['",
        "$.a-b|expected '.' or '['"
    })
    void parseRefusesUnsupportedSyntaxNamingTheProblem(String query, String why) {
        assertThatThrownBy(() -> JsonPathSelector.parse(query))
                .isInstanceOfSatisfying(FieldCryptoException.class, e -> {
                    assertThat(e.code()).isEqualTo(FieldCryptoException.Code.INVALID_PATH);
                    assertThat(e.getMessage()).contains(why).contains("column");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"$['tags'][2]", "$['a']['b\\'c']", "$['x'][0][1]"})
    void generalizeReplacesIndexesOnly(String path) {
        assertThat(NormalizedPath.generalize(path)).doesNotContainPattern("\\[[0-9]");
        assertThat(NormalizedPath.generalize("$['a[0]'][3]")).isEqualTo("$['a[0]'][*]");
    }

    @Test
    void normalizedPathEscapesNames() {
        assertThat(NormalizedPath.of(new Object[] {"a'b", 2, "c\n"}, 3)).isEqualTo("$['a\\'b'][2]['c\\n']");
        assertThat(NormalizedPath.generalized(new Object[] {"a", 2}, 2)).isEqualTo("$['a'][*]");
    }
}
