package dev.portcullis.fields.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class SelectorIndexTest {

    private static final List<String> SELECTORS = List.of("$.a.b", "$..b", "$.a.*", "$.a[0]", "$.c", "$[*].b",
            "$..*", "$.a.b.c", "$['b']", "$.x[*].b");

    /** The index gives exactly the first matching selector of a linear scan, over many paths. */
    @Test
    void firstAgreesWithALinearScan() {
        Random random = new Random(42);
        Object[] alphabet = {"a", "b", "c", "x", 0, 1};
        for (int round = 0; round < 200; round++) {
            List<String> order = new ArrayList<>(SELECTORS);
            java.util.Collections.shuffle(order, random);
            List<JsonPathSelector> selectors = order.stream().map(JsonPathSelector::parse).toList();
            SelectorIndex<JsonPathSelector> index = new SelectorIndex<>(selectors, Function.identity());
            for (int p = 0; p < 50; p++) {
                int depth = random.nextInt(5);
                Object[] path = new Object[depth];
                for (int i = 0; i < depth; i++) {
                    path[i] = alphabet[random.nextInt(alphabet.length)];
                }
                JsonPathSelector linear = selectors.stream().filter(s -> s.matches(path, depth)).findFirst().orElse(null);
                assertThat(index.first(path, depth)).as("%s over %s", java.util.Arrays.toString(path), order)
                        .isSameAs(linear);
            }
        }
    }
}
