package dev.portcullis.fields;

/**
 * A fast, conservative test that a decrypted plaintext is exactly one JSON value, for the common
 * case: {@code true}, {@code false}, {@code null}, numbers (RFC 8259 section 6 grammar, at most
 * {@value #MAX_NUMBER_BYTES} bytes), strings of printable ASCII without escapes (member names
 * at most {@value #MAX_NAME_BYTES} bytes), and objects and arrays of those nested at
 * most {@value #MAX_DEPTH} deep, with JSON whitespace inside containers but none around the
 * whole. Every text it accepts is one JSON value that Jackson accepts too (all its limits are
 * far below Jackson's defaults); it answers false for everything else (escapes, non-ASCII,
 * deeper nesting, longer numbers or names), which the caller then checks with a full parser.
 * Duplicate member names are accepted, as the full check does.
 */
final class PlainJson {

    /** Far below Jackson's default limit of a number's length (1000). */
    static final int MAX_NUMBER_BYTES = 64;
    /** Far below Jackson's default limit of a member name's length (50,000). */
    static final int MAX_NAME_BYTES = 1024;
    /** Far below Jackson's default nesting limit (500). String values are limited by the value limit (1 MiB) only. */
    static final int MAX_DEPTH = 32;

    private final byte[] v;
    private int i;

    private PlainJson(byte[] v) {
        this.v = v;
    }

    /** True when {@code text} is one JSON value in the subset described above. */
    static boolean isOneValue(byte[] text) {
        PlainJson p = new PlainJson(text);
        return p.value(0) && p.i == text.length;
    }

    private boolean value(int depth) {
        if (i >= v.length) {
            return false;
        }
        byte b = v[i];
        if (b == '"') {
            return string(Integer.MAX_VALUE);
        }
        if (b == '-' || (b >= '0' && b <= '9')) {
            return number();
        }
        if (b == '{') {
            return depth < MAX_DEPTH && object(depth + 1);
        }
        if (b == '[') {
            return depth < MAX_DEPTH && array(depth + 1);
        }
        return literal("true") || literal("false") || literal("null");
    }

    private boolean object(int depth) {
        i++; // '{'
        whitespace();
        if (i < v.length && v[i] == '}') {
            i++;
            return true;
        }
        while (true) {
            if (i >= v.length || v[i] != '"' || !string(MAX_NAME_BYTES)) {
                return false;
            }
            whitespace();
            if (i >= v.length || v[i] != ':') {
                return false;
            }
            i++;
            whitespace();
            if (!value(depth)) {
                return false;
            }
            whitespace();
            if (i >= v.length) {
                return false;
            }
            if (v[i] == '}') {
                i++;
                return true;
            }
            if (v[i] != ',') {
                return false;
            }
            i++;
            whitespace();
        }
    }

    private boolean array(int depth) {
        i++; // '['
        whitespace();
        if (i < v.length && v[i] == ']') {
            i++;
            return true;
        }
        while (true) {
            if (!value(depth)) {
                return false;
            }
            whitespace();
            if (i >= v.length) {
                return false;
            }
            if (v[i] == ']') {
                i++;
                return true;
            }
            if (v[i] != ',') {
                return false;
            }
            i++;
            whitespace();
        }
    }

    /** {@code "} then printable ASCII other than {@code "} and {@code \}, then {@code "}; at most {@code max} bytes inside. */
    private boolean string(int max) {
        int start = ++i;
        while (i < v.length) {
            byte b = v[i];
            if (b == '"') {
                if (i - start > max) {
                    return false;
                }
                i++;
                return true;
            }
            if (b < 0x20 || b > 0x7e || b == '\\') {
                return false;
            }
            i++;
        }
        return false;
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
    private boolean number() {
        int start = i;
        if (v[i] == '-') {
            i++;
        }
        if (i >= v.length) {
            return false;
        }
        if (v[i] == '0') {
            i++;
        } else if (v[i] >= '1' && v[i] <= '9') {
            digits();
        } else {
            return false;
        }
        if (i < v.length && v[i] == '.') {
            i++;
            if (digits() == 0) {
                return false;
            }
        }
        if (i < v.length && (v[i] == 'e' || v[i] == 'E')) {
            i++;
            if (i < v.length && (v[i] == '+' || v[i] == '-')) {
                i++;
            }
            if (digits() == 0) {
                return false;
            }
        }
        // A number must not run into a letter or digit-like byte (e.g. "1true", "0x"): Jackson
        // refuses those; the container grammar only allows whitespace, ',', ']' or '}' next.
        return i - start <= MAX_NUMBER_BYTES && (i == v.length || isDelimiter(v[i]));
    }

    private int digits() {
        int start = i;
        while (i < v.length && v[i] >= '0' && v[i] <= '9') {
            i++;
        }
        return i - start;
    }

    private boolean literal(String word) {
        int n = word.length();
        if (v.length - i < n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (v[i + k] != word.charAt(k)) {
                return false;
            }
        }
        if (i + n < v.length && !isDelimiter(v[i + n])) {
            return false; // "truex", "nulll"
        }
        i += n;
        return true;
    }

    private static boolean isDelimiter(byte b) {
        return b == ',' || b == ']' || b == '}' || b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private void whitespace() {
        while (i < v.length && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r')) {
            i++;
        }
    }
}
