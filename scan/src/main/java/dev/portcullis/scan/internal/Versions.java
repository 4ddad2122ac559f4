package dev.portcullis.scan.internal;

import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Orders dotted release versions ({@code 2.3.1} < {@code 2.12.2} < {@code 2.17.1}) by numeric
 * segments, for the upgrade advice in the summary. Not a full Maven version order: qualifiers
 * compare as text after the numbers, which is enough for the fixed versions NVD ranges name.
 */
public final class Versions {

    public static final Comparator<String> ORDER = Versions::compare;

    private Versions() {
    }

    public static int compare(String a, String b) {
        String[] x = a.split("[.\\-]");
        String[] y = b.split("[.\\-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0";
            String q = i < y.length ? y[i] : "0";
            boolean pn = p.matches("\\d+");
            boolean qn = q.matches("\\d+");
            int c;
            if (pn && qn) {
                c = new java.math.BigInteger(p).compareTo(new java.math.BigInteger(q));
            } else if (pn != qn) {
                c = pn ? 1 : -1; // 2.0 > 2.0-beta9
            } else {
                c = p.compareToIgnoreCase(q);
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** The highest of {@code versions}, ignoring nulls. */
    public static Optional<String> highest(Stream<String> versions) {
        return versions.filter(v -> v != null && !v.isBlank()).max(ORDER);
    }
}
