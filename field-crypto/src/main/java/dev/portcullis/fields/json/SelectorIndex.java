package dev.portcullis.fields.json;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An ordered list of selectors (each with a tag, e.g. the rule it belongs to) indexed for the
 * per-value question "which is the first selector that matches this path?": selectors whose last
 * segment is a fixed member name are looked up by that name, the others are always tried. The
 * answer is the same as trying them all in order; a schema of 50 rules costs a hash lookup per
 * value instead of 50 walks.
 */
public final class SelectorIndex<T> {

    private record Entry<T>(int order, JsonPathSelector selector, T tag) {
    }

    private final Map<String, List<Entry<T>>> byLastName = new HashMap<>();
    private final List<Entry<T>> others = new ArrayList<>();

    public SelectorIndex(List<T> tags, Function<T, JsonPathSelector> selectorOf) {
        for (int i = 0; i < tags.size(); i++) {
            T tag = tags.get(i);
            JsonPathSelector selector = selectorOf.apply(tag);
            Entry<T> entry = new Entry<>(i, selector, tag);
            String name = selector.fixedLastName();
            if (name != null) {
                byLastName.computeIfAbsent(name, k -> new ArrayList<>()).add(entry);
            } else {
                others.add(entry);
            }
        }
    }

    /** The tag of the first selector (in list order) that matches, or null. */
    public T first(Object[] path, int depth) {
        Entry<T> best = null;
        if (depth > 0 && path[depth - 1] instanceof String name) {
            List<Entry<T>> named = byLastName.get(name);
            if (named != null) {
                for (Entry<T> e : named) {
                    if (e.selector().matches(path, depth)) {
                        best = e;
                        break;
                    }
                }
            }
        }
        for (Entry<T> e : others) {
            if (best != null && e.order() > best.order()) {
                break;
            }
            if (e.selector().matches(path, depth)) {
                best = e;
                break;
            }
        }
        return best == null ? null : best.tag();
    }
}
