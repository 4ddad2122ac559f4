package dev.portcullis.fields.json;

/**
 * Normalized paths (<a href="https://www.rfc-editor.org/rfc/rfc9535#section-2.7">RFC 9535
 * section 2.7</a>): the one canonical spelling of a value's location, {@code $['a'][0]['b']},
 * which is what a field ciphertext is bound to.
 */
public final class NormalizedPath {

    private NormalizedPath() {
    }

    /** The normalized path of the first {@code depth} segments of {@code path}. */
    public static String of(Object[] path, int depth) {
        return build(path, depth, false);
    }

    /**
     * The same path with every array index replaced by {@code [*]}: what deterministic ciphertexts
     * and blind indexes are bound to, so equal values at different positions of an array compare
     * equal. (Not a normalized path in the RFC's sense; a query in its syntax.)
     */
    public static String generalized(Object[] path, int depth) {
        return build(path, depth, true);
    }

    /** {@code parent} (a normalized path) extended by one segment: a member name or an array index. */
    static String append(String parent, Object segment) {
        StringBuilder b = new StringBuilder(parent.length() + 16).append(parent);
        if (segment instanceof Integer index) {
            b.append('[').append(index.intValue()).append(']');
        } else {
            b.append("['");
            appendEscaped(b, (String) segment);
            b.append("']");
        }
        return b.toString();
    }

    private static String build(Object[] path, int depth, boolean generalize) {
        StringBuilder b = new StringBuilder(16 + depth * 8).append('$');
        for (int i = 0; i < depth; i++) {
            Object segment = path[i];
            if (segment instanceof Integer index) {
                b.append('[');
                if (generalize) {
                    b.append('*');
                } else {
                    b.append(index.intValue());
                }
                b.append(']');
            } else {
                b.append("['");
                appendEscaped(b, (String) segment);
                b.append("']");
            }
        }
        return b.toString();
    }

    private static void appendEscaped(StringBuilder b, String name) {
        if (needsNoEscape(name)) {
            b.append(name); // the common case, in one copy
            return;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '\'' -> b.append("\\'");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }

    private static boolean needsNoEscape(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == '\'' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code normalizedPath} with every array index replaced by {@code [*]} (member names, even
     * ones that look like indexes, are left alone).
     */
    public static String generalize(String normalizedPath) {
        StringBuilder b = new StringBuilder(normalizedPath.length());
        int i = 0;
        int n = normalizedPath.length();
        while (i < n) {
            char c = normalizedPath.charAt(i);
            if (c == '[' && i + 1 < n && normalizedPath.charAt(i + 1) == '\'') {
                // A quoted member name: copy through the closing quote, honouring escapes.
                int j = i + 2;
                while (j < n && normalizedPath.charAt(j) != '\'') {
                    j += normalizedPath.charAt(j) == '\\' ? 2 : 1;
                }
                int end = Math.min(n, j + 2);
                b.append(normalizedPath, i, end);
                i = end;
            } else if (c == '[' && i + 1 < n && Character.isDigit(normalizedPath.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && Character.isDigit(normalizedPath.charAt(j))) {
                    j++;
                }
                b.append("[*]");
                i = j + 1;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }
}
