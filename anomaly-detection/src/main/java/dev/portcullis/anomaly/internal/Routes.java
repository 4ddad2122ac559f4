package dev.portcullis.anomaly.internal;

/**
 * Turns a request path into a route template, so that {@code /orders/42} and {@code /orders/43}
 * are one route: path segments that look like identifiers (all digits, UUIDs, ULIDs, long hex or
 * long mixed letters-and-digits) become {@code {id}}; the query string is dropped.
 */
public final class Routes {

    private Routes() {
    }

    public static String template(String method, String path) {
        StringBuilder out = new StringBuilder(method.length() + path.length() + 1);
        out.append(method).append(' ');
        int end = path.indexOf('?');
        if (end < 0) {
            end = path.length();
        }
        int start = 0;
        while (start < end) {
            int slash = path.indexOf('/', start);
            if (slash < 0 || slash > end) {
                slash = end;
            }
            if (slash > start) {
                if (looksLikeId(path, start, slash)) {
                    out.append("{id}");
                } else {
                    out.append(path, start, slash);
                }
            }
            if (slash < end) {
                out.append('/');
            }
            start = slash + 1;
        }
        return out.toString();
    }

    /**
     * The hash of {@link #template}'s result, computed without building the string (the detectors
     * call it for every request). Never 0.
     */
    public static int templateHash(String method, String path) {
        int h = method.hashCode() * 31 + ' ';
        int end = path.indexOf('?');
        if (end < 0) {
            end = path.length();
        }
        int start = 0;
        while (start < end) {
            int slash = path.indexOf('/', start);
            if (slash < 0 || slash > end) {
                slash = end;
            }
            if (slash > start) {
                if (looksLikeId(path, start, slash)) {
                    h = h * 31 + 0x7b69647d; // "{id}"
                } else {
                    for (int i = start; i < slash; i++) {
                        h = h * 31 + path.charAt(i);
                    }
                }
            }
            if (slash < end) {
                h = h * 31 + '/';
            }
            start = slash + 1;
        }
        return h == 0 ? 1 : h;
    }

    static boolean looksLikeId(String s, int from, int to) {
        int len = to - from;
        int digits = 0;
        int hex = 0;
        int letters = 0;
        int dashes = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                hex++;
            } else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                hex++;
                letters++;
            } else if ((c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z')) {
                letters++;
            } else if (c == '-' || c == '_') {
                dashes++;
            } else {
                return false;
            }
        }
        if (digits == len) {
            return true;
        }
        if (hex + dashes == len && hex >= 8 && digits > 0) {
            return true;
        }
        // ULIDs, opaque tokens: long and mixing digits with letters.
        return len >= 16 && digits > 0 && letters > 0;
    }
}
