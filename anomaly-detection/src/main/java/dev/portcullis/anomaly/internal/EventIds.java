package dev.portcullis.anomaly.internal;

/**
 * Event ids held compactly: a ULID in its canonical form (26 characters of Crockford base32,
 * upper case), which is what the audit log writes, is 128 bits and is kept as two {@code long}s
 * (16 bytes) instead of a {@link String} (about 72 bytes). Any other id is kept as it is. Decoding
 * gives back exactly the string that was encoded.
 *
 * @see <a href="https://github.com/ulid/spec">ULID specification</a>
 */
public final class EventIds {

    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final int LENGTH = 26;
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            VALUES[ALPHABET.charAt(i)] = (byte) i;
        }
    }

    private EventIds() {
    }

    /**
     * True when {@code id} is a canonical ULID: 26 characters of the upper-case Crockford alphabet,
     * the first at most {@code 7} (a ULID is 128 bits, 26 characters hold 130).
     */
    public static boolean isCompact(String id) {
        if (id == null || id.length() != LENGTH || id.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = id.charAt(i);
            if (c >= 128 || VALUES[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Packs {@code id} into {@code out[at]} (high 64 bits) and {@code out[at + 1]} (low) in one pass
     * when it is compact, and says whether it was; {@code out} is left unchanged otherwise. The
     * detectors call this for every evidence event, so it reads each character once.
     */
    public static boolean pack(String id, long[] out, int at) {
        if (id == null || id.length() != LENGTH) {
            return false;
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < LENGTH; i++) {
            char c = id.charAt(i);
            int v = c < 128 ? VALUES[c] : -1;
            if (v < 0 || (i == 0 && v > 7)) {
                return false;
            }
            // The 130-bit value shifted left 5 at a time across the two words; its top 2 bits are zero.
            hi = (hi << 5) | (lo >>> 59);
            lo = (lo << 5) | v;
        }
        out[at] = hi;
        out[at + 1] = lo;
        return true;
    }

    /** The high 64 bits of a compact id; call only when {@link #isCompact} holds. */
    public static long high(String id) {
        long v = 0;
        // Characters 0-12 hold bits 127..63 (the first carries 3 bits): 3 + 12 * 5 = 63 bits, then one more.
        for (int i = 0; i < 13; i++) {
            v = (v << 5) | VALUES[id.charAt(i)];
        }
        // v now holds the top 65 bits of the 130-bit value, whose top 2 bits are zero: the top 63 bits of the ULID.
        int next = VALUES[id.charAt(13)];
        return (v << 1) | (next >>> 4);
    }

    /** The low 64 bits of a compact id; call only when {@link #isCompact} holds. */
    public static long low(String id) {
        long v = VALUES[id.charAt(13)] & 0xF;
        for (int i = 14; i < LENGTH; i++) {
            v = (v << 5) | VALUES[id.charAt(i)];
        }
        return v;
    }

    /** The canonical ULID string of the 128 bits {@code high}:{@code low}. */
    public static String decode(long high, long low) {
        char[] out = new char[LENGTH];
        // The last 12 characters are the low 60 bits; character 13 joins the high's last bit and the low's top 4.
        long lo = low;
        for (int i = LENGTH - 1; i >= 14; i--) {
            out[i] = ALPHABET.charAt((int) (lo & 31));
            lo >>>= 5;
        }
        out[13] = ALPHABET.charAt((int) (((high & 1) << 4) | (lo & 0xF)));
        long hi = high >>> 1;
        for (int i = 12; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (hi & 31));
            hi >>>= 5;
        }
        return new String(out);
    }
}
