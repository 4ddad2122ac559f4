package dev.portcullis.audit.verify;

import java.util.HexFormat;
import java.util.List;

/** Helpers for lists of hashes and their printing as evidence. */
public final class Hashes {

    private static final HexFormat HEX = HexFormat.of();

    private Hashes() {
    }

    static List<byte[]> copy(List<byte[]> hashes) {
        return hashes.stream().map(h -> {
            if (h == null || h.length != 32) {
                throw new IllegalArgumentException("every proof hash must be 32 bytes");
            }
            return h.clone();
        }).toList();
    }

    /** Lower-case hex, the way evidence is printed. */
    public static String hex(byte[] hash) {
        return hash == null ? "null" : HEX.formatHex(hash);
    }
}
