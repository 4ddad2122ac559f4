package dev.portcullis.fields.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoException.Code;

/**
 * A JSONPath query (<a href="https://www.rfc-editor.org/rfc/rfc9535">RFC 9535</a>) from the subset
 * that field selection needs, matched against the concrete path of each value while the document
 * is streamed (so nothing is re-serialized):
 *
 * <ul>
 *   <li>root {@code $};</li>
 *   <li>child segments {@code .name}, {@code ['name']}, {@code ["name"]}, {@code [3]},
 *       {@code .*}, {@code [*]};</li>
 *   <li>descendant segments {@code ..name}, {@code ..*}, {@code ..['name']}, {@code ..[3]}.</li>
 * </ul>
 *
 * Filters ({@code ?}), slices ({@code :}), unions ({@code ,}), negative indexes and functions are
 * refused with {@link Code#INVALID_PATH} naming the column, rather than half-supported: a
 * selector that silently matched less than its author meant would leave data in clear.
 */
public final class JsonPathSelector {

    /** One segment: a member name, an array index, or a wildcard; possibly a descendant segment. */
    private record Segment(String name, int index, boolean wildcard, boolean descendant) {

        boolean matches(Object concrete) {
            if (wildcard) {
                return true;
            }
            if (name != null) {
                return concrete instanceof String s && s.equals(name);
            }
            return concrete instanceof Integer i && i == index;
        }
    }

    private final String text;
    private final Segment[] segments;
    /** Without descendant segments a selector matches only at exactly its own depth. */
    private final boolean fixedDepth;

    private JsonPathSelector(String text, Segment[] segments) {
        this.text = text;
        this.segments = segments;
        boolean descendant = false;
        for (Segment segment : segments) {
            descendant |= segment.descendant();
        }
        this.fixedDepth = !descendant;
    }

    /** Parses {@code query}; throws {@link Code#INVALID_PATH} naming the column of the problem. */
    public static JsonPathSelector parse(String query) {
        Objects.requireNonNull(query, "query cannot be null");
        return new Parser(query).parse();
    }

    /**
     * The member name this selector's last segment requires, when it is a plain child name at a
     * fixed depth (e.g. {@code $.customer.email} gives {@code email}); else null. Lets a set of
     * selectors be indexed by name instead of tried one by one.
     */
    public String fixedLastName() {
        if (!fixedDepth || segments.length == 0) {
            return null;
        }
        Segment last = segments[segments.length - 1];
        return last.wildcard() ? null : last.name();
    }

    /** The query as written. */
    public String text() {
        return text;
    }

    /**
     * True when the value at {@code path} (member names as {@code String}, array indexes as
     * {@code Integer}, outermost first, the first {@code depth} entries) is selected.
     */
    public boolean matches(Object[] path, int depth) {
        if (fixedDepth && depth != segments.length) {
            return false; // the common case of a schema's many rules, decided without a walk
        }
        return match(0, path, 0, depth);
    }

    private boolean match(int si, Object[] path, int ci, int depth) {
        while (true) {
            if (si == segments.length) {
                return ci == depth;
            }
            Segment seg = segments[si];
            if (seg.descendant) {
                for (int k = ci; k < depth; k++) {
                    if (seg.matches(path[k]) && match(si + 1, path, k + 1, depth)) {
                        return true;
                    }
                }
                return false;
            }
            if (ci >= depth || !seg.matches(path[ci])) {
                return false;
            }
            si++;
            ci++;
        }
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonPathSelector s && s.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        JsonPathSelector parse() {
            if (s.isEmpty() || s.charAt(0) != '$') {
                throw error("a query starts with '$'");
            }
            if (s.length() > 1024) {
                throw error("a query is at most 1024 characters");
            }
            pos = 1;
            List<Segment> segments = new ArrayList<>();
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '.') {
                    boolean descendant = pos + 1 < s.length() && s.charAt(pos + 1) == '.';
                    pos += descendant ? 2 : 1;
                    if (pos >= s.length()) {
                        throw error("a name, '*' or '[' must follow '.'");
                    }
                    if (s.charAt(pos) == '[') {
                        if (!descendant) {
                            throw error("'.[' is not JSONPath; write '[...]' or '..[...]'");
                        }
                        segments.add(bracket(true));
                    } else if (s.charAt(pos) == '*') {
                        pos++;
                        segments.add(new Segment(null, -1, true, descendant));
                    } else {
                        segments.add(new Segment(shorthandName(), -1, false, descendant));
                    }
                } else if (c == '[') {
                    segments.add(bracket(false));
                } else {
                    throw error("expected '.' or '['");
                }
            }
            return new JsonPathSelector(s, segments.toArray(Segment[]::new));
        }

        private String shorthandName() {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                boolean ok = c == '_' || Character.isLetter(c) || c >= 0x80 || (pos > start && Character.isDigit(c));
                if (!ok) {
                    break;
                }
                pos++;
            }
            if (pos == start) {
                throw error("expected a member name (letters, digits, '_'; use ['...'] for others)");
            }
            return s.substring(start, pos);
        }

        private Segment bracket(boolean descendant) {
            pos++; // '['
            if (pos >= s.length()) {
                throw error("unclosed '['");
            }
            char c = s.charAt(pos);
            Segment seg;
            if (c == '*') {
                pos++;
                seg = new Segment(null, -1, true, descendant);
            } else if (c == '\'' || c == '"') {
                seg = new Segment(quoted(c), -1, false, descendant);
            } else if (c >= '0' && c <= '9') {
                int start = pos;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                String digits = s.substring(start, pos);
                if (digits.length() > 1 && digits.charAt(0) == '0') {
                    throw error("an index has no leading zeros");
                }
                if (digits.length() > 9) {
                    throw error("index too large");
                }
                seg = new Segment(null, Integer.parseInt(digits), false, descendant);
            } else if (c == '?') {
                throw error("filter expressions are not supported; list the fields, or use '*'");
            } else if (c == '-') {
                throw error("negative indexes are not supported");
            } else {
                throw error("expected '*', a quoted name or an index");
            }
            if (pos < s.length() && (s.charAt(pos) == ':' || s.charAt(pos) == ',')) {
                throw error("slices and unions are not supported; write one selector per field");
            }
            if (pos >= s.length() || s.charAt(pos) != ']') {
                throw error("expected ']'");
            }
            pos++;
            return seg;
        }

        private String quoted(char quote) {
            pos++;
            StringBuilder b = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == quote) {
                    return b.toString();
                }
                if (c == '\\') {
                    if (pos >= s.length()) {
                        break;
                    }
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        case '/', '\\', '\'', '"' -> b.append(e);
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw error("incomplete \\u escape");
                            }
                            try {
                                b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("bad \\u escape");
                            }
                            pos += 4;
                        }
                        default -> throw error("unknown escape \\" + e);
                    }
                } else {
                    b.append(c);
                }
            }
            throw error("unclosed quoted name");
        }

        private FieldCryptoException error(String why) {
            return new FieldCryptoException(Code.INVALID_PATH,
                    "invalid JSONPath '" + s + "' at column " + (pos + 1) + ": " + why);
        }
    }
}
