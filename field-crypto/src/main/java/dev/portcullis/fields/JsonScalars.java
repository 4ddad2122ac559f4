package dev.portcullis.fields;

/**
 * A fast, conservative test for the common decrypted values: a JSON text that is exactly one
 * {@code true}, {@code false}, {@code null}, number (RFC 8259 section 6 grammar, at most
 * {@value #MAX_NUMBER_BYTES} bytes), or string of printable ASCII without escapes, with no
 * whitespace around it. Every text it accepts is one JSON value that Jackson accepts too; it
 * answers false for everything else (objects, arrays, escapes, non-ASCII, whitespace, long
 * numbers), which the caller then checks with a full parser.
 */
final class JsonScalars {

    /** Far below Jackson's default limit of a number's length (1000), so Jackson would take any number taken here. */
    static final int MAX_NUMBER_BYTES = 64;

    private JsonScalars() {
    }

    static boolean isPlainScalar(byte[] v) {
        int n = v.length;
        if (n == 0) {
            return false;
        }
        byte first = v[0];
        if (first == '"') {
            return isPlainString(v);
        }
        if (first == '-' || (first >= '0' && first <= '9')) {
            return n <= MAX_NUMBER_BYTES && isNumber(v);
        }
        return equalsAscii(v, "true") || equalsAscii(v, "false") || equalsAscii(v, "null");
    }

    /** {@code "} then printable ASCII other than {@code "} and {@code \}, then {@code "}. */
    private static boolean isPlainString(byte[] v) {
        int n = v.length;
        if (n < 2 || v[n - 1] != '"') {
            return false;
        }
        for (int i = 1; i < n - 1; i++) {
            byte b = v[i];
            if (b < 0x20 || b > 0x7e || b == '"' || b == '\\') {
                return false;
            }
        }
        return true;
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}, the whole text. */
    private static boolean isNumber(byte[] v) {
        int n = v.length;
        int i = 0;
        if (v[i] == '-') {
            i++;
        }
        if (i == n) {
            return false;
        }
        if (v[i] == '0') {
            i++;
        } else if (v[i] >= '1' && v[i] <= '9') {
            i = digits(v, i);
        } else {
            return false;
        }
        if (i < n && v[i] == '.') {
            int j = digits(v, i + 1);
            if (j == i + 1) {
                return false;
            }
            i = j;
        }
        if (i < n && (v[i] == 'e' || v[i] == 'E')) {
            i++;
            if (i < n && (v[i] == '+' || v[i] == '-')) {
                i++;
            }
            int j = digits(v, i);
            if (j == i) {
                return false;
            }
            i = j;
        }
        return i == n;
    }

    private static int digits(byte[] v, int i) {
        while (i < v.length && v[i] >= '0' && v[i] <= '9') {
            i++;
        }
        return i;
    }

    private static boolean equalsAscii(byte[] v, String s) {
        if (v.length != s.length()) {
            return false;
        }
        for (int i = 0; i < v.length; i++) {
            if (v[i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
