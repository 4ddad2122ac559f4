package dev.portcullis.fields.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.portcullis.fields.EncryptionMode;
import dev.portcullis.fields.FieldContext;
import dev.portcullis.fields.FieldCryptoException;
import dev.portcullis.fields.FieldCryptoException.Code;

/**
 * The field ciphertext format, version 1, specified byte by byte in
 * {@code docs/field-encryption.md}: {@code "pcf:" base64url(header || body)} where
 *
 * <pre>
 * header = version (1) = 0x01 || mode (1) || n (1) || key name (n, ASCII) || key version (4, big-endian)
 * body   = randomized (0x01):    nonce (12) || ciphertext || tag (16)          AES-256-GCM
 *          deterministic (0x02): SIV (16)   || ciphertext                     AES-256-SIV
 * </pre>
 *
 * The whole header is part of the associated data, so no header byte can change without the tag
 * failing. Parsing checks every length before any cryptography runs.
 */
public final class Envelope {

    public static final String PREFIX = "pcf:";
    public static final byte VERSION_1 = 0x01;
    public static final int MAX_KEY_NAME_BYTES = 64;
    /** Key names: printable ASCII without spaces or quotes, so they are safe in logs and JSON. */
    public static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9._:/-]{1," + MAX_KEY_NAME_BYTES + "}");
    private static final byte[] AD_LABEL = "portcullis-fields/v1".getBytes(StandardCharsets.US_ASCII);

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final EncryptionMode mode;
    private final String keyName;
    private final int keyVersion;
    private final byte[] bytes;
    private final int length;
    private final int headerLength;

    private Envelope(EncryptionMode mode, String keyName, int keyVersion, byte[] bytes, int length, int headerLength) {
        this.mode = mode;
        this.keyName = keyName;
        this.keyVersion = keyVersion;
        this.bytes = bytes;
        this.length = length;
        this.headerLength = headerLength;
    }

    /** True when {@code text} carries this format's prefix (it may still be malformed). */
    public static boolean looksLikeCiphertext(String text) {
        return text.startsWith(PREFIX);
    }

    /** The header for a new ciphertext. */
    public static byte[] header(EncryptionMode mode, String keyName, int keyVersion) {
        if (!isKeyName(keyName)) {
            throw new IllegalArgumentException("key name must match " + KEY_NAME.pattern());
        }
        if (keyVersion < 1) {
            throw new IllegalArgumentException("key version must be at least 1");
        }
        byte[] name = keyName.getBytes(StandardCharsets.US_ASCII);
        byte[] header = new byte[7 + name.length];
        header[0] = VERSION_1;
        header[1] = mode.wireValue();
        header[2] = (byte) name.length;
        System.arraycopy(name, 0, header, 3, name.length);
        int p = 3 + name.length;
        header[p] = (byte) (keyVersion >>> 24);
        header[p + 1] = (byte) (keyVersion >>> 16);
        header[p + 2] = (byte) (keyVersion >>> 8);
        header[p + 3] = (byte) keyVersion;
        return header;
    }

    /** Same as {@link #KEY_NAME} matching, without a regex on the per-field path. */
    public static boolean isKeyName(String name) {
        int n = name.length();
        if (n < 1 || n > MAX_KEY_NAME_BYTES) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == ':' || c == '/' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The minimum body length of {@code mode}: nonce and tag, or the SIV. */
    public static int overhead(EncryptionMode mode) {
        return mode == EncryptionMode.RANDOMIZED ? AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES : AesSiv.SIV_BYTES;
    }

    /**
     * The associated data: a label, the header, then the context as length-prefixed UTF-8 strings
     * (tenant, record id for the randomized mode only, field path).
     */
    public static byte[] associatedData(byte[] header, int headerLength, EncryptionMode mode, FieldContext context,
            String boundPath) {
        return associatedData(associatedDataPrefix(header, headerLength), mode, context, boundPath);
    }

    /** The start of the associated data that depends only on the header: label, zero byte, header. */
    public static byte[] associatedDataPrefix(byte[] header, int headerLength) {
        byte[] prefix = new byte[AD_LABEL.length + 1 + headerLength];
        System.arraycopy(AD_LABEL, 0, prefix, 0, AD_LABEL.length);
        System.arraycopy(header, 0, prefix, AD_LABEL.length + 1, headerLength);
        return prefix;
    }

    /**
     * The associated data after {@code prefix} ({@link #associatedDataPrefix}, cached per key
     * version): the context strings, as {@link #associatedData(byte[], int, EncryptionMode,
     * FieldContext, String)} lays them out.
     */
    public static byte[] associatedData(byte[] prefix, EncryptionMode mode, FieldContext context, String boundPath) {
        byte[] tenant = utf8(context.tenant());
        byte[] record = mode == EncryptionMode.RANDOMIZED ? utf8(context.recordId()) : null;
        byte[] path = utf8(boundPath);
        int length = prefix.length + 2 + tenant.length + (record == null ? 0 : 2 + record.length) + 2 + path.length;
        byte[] ad = new byte[length];
        System.arraycopy(prefix, 0, ad, 0, prefix.length);
        int p = putString(ad, prefix.length, tenant);
        if (record != null) {
            p = putString(ad, p, record);
        }
        putString(ad, p, path);
        return ad;
    }

    /**
     * The same associated data as {@link #associatedData(byte[], EncryptionMode, FieldContext, String)},
     * from context strings already encoded as UTF-8 (a document encodes its tenant and record id
     * once for all its fields); {@code record} is null for the deterministic mode.
     */
    public static byte[] associatedData(byte[] prefix, byte[] tenant, byte[] record, byte[] path) {
        int length = prefix.length + 2 + tenant.length + (record == null ? 0 : 2 + record.length) + 2 + path.length;
        byte[] ad = new byte[length];
        System.arraycopy(prefix, 0, ad, 0, prefix.length);
        int p = putString(ad, prefix.length, tenant);
        if (record != null) {
            p = putString(ad, p, record);
        }
        putString(ad, p, path);
        return ad;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int putString(byte[] out, int p, byte[] s) {
        if (s.length > 0xffff) {
            throw new FieldCryptoException(Code.INVALID_ARGUMENT, "a context string is longer than 65535 bytes");
        }
        out[p] = (byte) (s.length >>> 8);
        out[p + 1] = (byte) s.length;
        System.arraycopy(s, 0, out, p + 2, s.length);
        return p + 2 + s.length;
    }

    /** Encodes {@code header || body} as text. */
    public static String encode(byte[] envelope) {
        return new String(encodeAscii(envelope, false), StandardCharsets.ISO_8859_1);
    }

    /**
     * The text of {@link #encode} as ASCII bytes, in double quotes when {@code quoted} (a JSON
     * string: the alphabet needs no escaping), written once into an array of its final size.
     */
    public static byte[] encodeAscii(byte[] envelope, boolean quoted) {
        int start = quoted ? 1 + PREFIX.length() : PREFIX.length();
        int encodedLength = (envelope.length / 3) * 4 + (envelope.length % 3 == 0 ? 0 : envelope.length % 3 + 1);
        byte[] out = new byte[start + encodedLength + (quoted ? 1 : 0)];
        // The JDK's encoder (an intrinsic) writes from index 0 only: encode, then move it into place.
        int n = B64.encode(envelope, out);
        System.arraycopy(out, 0, out, start, n);
        int p = 0;
        if (quoted) {
            out[p++] = '"';
            out[out.length - 1] = '"';
        }
        for (int i = 0; i < PREFIX.length(); i++) {
            out[p++] = (byte) PREFIX.charAt(i);
        }
        return out;
    }

    /**
     * Parses {@code text}, checking prefix, base64url, version, mode, key name, key version and
     * minimum length; {@code path} only names the field in error messages.
     */
    public static Envelope parse(String text, String path, int maxBytes) {
        if (!text.startsWith(PREFIX)) {
            throw malformed(path, "it does not start with '" + PREFIX + "'");
        }
        if (text.length() - PREFIX.length() > (maxBytes / 3 + 1) * 4) {
            throw malformed(path, "it is longer than the limit");
        }
        // No substring: characters outside Latin-1 become '?', which is not base64url.
        byte[] ascii = text.getBytes(StandardCharsets.ISO_8859_1);
        return parse(ascii, 0, ascii.length, path, maxBytes);
    }

    /**
     * As {@link #parse(String, String, int)}, from the text's bytes {@code [from, to)} of
     * {@code ascii} (e.g. the inside of a JSON string in a UTF-8 document, read in place): any
     * byte outside the base64url alphabet, including those of a JSON escape or a multi-byte
     * UTF-8 character, fails as "not base64url".
     */
    public static Envelope parse(byte[] ascii, int from, int to, String path, int maxBytes) {
        int length = to - from;
        if (length < PREFIX.length() || ascii[from] != 'p' || ascii[from + 1] != 'c' || ascii[from + 2] != 'f'
                || ascii[from + 3] != ':') {
            throw malformed(path, "it does not start with '" + PREFIX + "'");
        }
        if (length - PREFIX.length() > (maxBytes / 3 + 1) * 4) {
            throw malformed(path, "it is longer than the limit");
        }
        if (!hasOneSpelling(ascii, from + PREFIX.length(), to)) {
            throw malformed(path, "it is not canonical base64url (padding, or bits set after the data)");
        }
        byte[] bytes;
        try {
            ByteBuffer decoded = B64D.decode(ByteBuffer.wrap(ascii, from + PREFIX.length(), length - PREFIX.length()));
            bytes = decoded.array();
            if (decoded.arrayOffset() != 0 || decoded.remaining() != bytes.length) {
                bytes = Arrays.copyOfRange(bytes, decoded.arrayOffset() + decoded.position(),
                        decoded.arrayOffset() + decoded.limit());
            }
        } catch (IllegalArgumentException e) {
            throw malformed(path, "it is not base64url");
        }
        return header(bytes, bytes.length, path);
    }

    /**
     * Parses a ciphertext in its binary form ({@code header || body}, the bytes the text form
     * base64url-encodes), checking length, version, mode, key name, key version and minimum
     * length as {@link #parse(String, String, int)} does. The envelope holds {@code bytes}
     * itself: hand it an array nobody else changes (a copy of a caller's).
     */
    public static Envelope parseBinary(byte[] bytes, String path, int maxBytes) {
        return parseBinary(bytes, bytes.length, path, maxBytes);
    }

    /** As {@link #parseBinary(byte[], String, int)}, for a ciphertext in the first {@code length} bytes of {@code bytes}. */
    public static Envelope parseBinary(byte[] bytes, int length, String path, int maxBytes) {
        Objects.checkFromIndexSize(0, length, bytes.length);
        checkBinaryLength(length, path, maxBytes);
        return header(bytes, length, path);
    }

    /** Refuses a binary ciphertext of {@code length} bytes over {@code maxBytes}, as malformed. */
    public static void checkBinaryLength(int length, String path, int maxBytes) {
        if (length > maxBytes) {
            throw malformed(path, "it is longer than the limit");
        }
    }

    /** Checks and reads the header of the ciphertext in {@code bytes[0, length)}. */
    private static Envelope header(byte[] bytes, int length, String path) {
        if (length < 3) {
            throw malformed(path, "it is truncated");
        }
        if (bytes[0] != VERSION_1) {
            throw new FieldCryptoException(Code.UNSUPPORTED_FORMAT_VERSION, "the ciphertext at " + path
                    + " has format version " + (bytes[0] & 0xff) + "; this build reads version 1");
        }
        EncryptionMode mode = EncryptionMode.fromWireValue(bytes[1]);
        if (mode == null) {
            throw new FieldCryptoException(Code.WRONG_MODE, "the ciphertext at " + path + " has unknown mode "
                    + (bytes[1] & 0xff));
        }
        int n = bytes[2] & 0xff;
        if (n < 1 || n > MAX_KEY_NAME_BYTES) {
            throw malformed(path, "its key name length " + n + " is outside 1.." + MAX_KEY_NAME_BYTES);
        }
        int headerLength = 7 + n;
        if (length < headerLength + overhead(mode)) {
            throw malformed(path, "it is truncated");
        }
        String keyName = new String(bytes, 3, n, StandardCharsets.US_ASCII);
        if (!isKeyName(keyName)) {
            throw malformed(path, "its key name has characters outside " + KEY_NAME.pattern());
        }
        int p = 3 + n;
        int keyVersion = ((bytes[p] & 0xff) << 24) | ((bytes[p + 1] & 0xff) << 16) | ((bytes[p + 2] & 0xff) << 8)
                | (bytes[p + 3] & 0xff);
        if (keyVersion < 1) {
            throw malformed(path, "its key version is outside 1..2^31-1");
        }
        return new Envelope(mode, keyName, keyVersion, bytes, length, headerLength);
    }

    /**
     * Whether {@code [from, to)} is base64url as {@link #encode} writes it: no {@code =} padding,
     * and the bits of the last character that lie beyond the data are zero. The JDK's decoder
     * accepts both (and ignores those bits), so without this check several texts decode to one
     * ciphertext: a changed character would decrypt as if untouched, and a deterministic
     * ciphertext would have spellings that an equality lookup on the stored text does not match.
     */
    private static boolean hasOneSpelling(byte[] ascii, int from, int to) {
        int length = to - from;
        if (length == 0) {
            return true;
        }
        byte last = ascii[to - 1];
        if (last == '=') {
            return false;
        }
        int unusedBits = switch (length % 4) {
            case 2 -> 4;
            case 3 -> 2;
            default -> 0; // 0: no partial group; 1: never valid, the decoder refuses it
        };
        int value = base64UrlValue(last);
        return value < 0 || (value & ((1 << unusedBits) - 1)) == 0;
    }

    /** The 6-bit value of a base64url character, or -1 (left for the decoder to refuse). */
    private static int base64UrlValue(byte c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    }

    private static FieldCryptoException malformed(String path, String why) {
        return new FieldCryptoException(Code.MALFORMED_CIPHERTEXT, "the value at " + path
                + " is not a field ciphertext: " + why);
    }

    public EncryptionMode mode() {
        return mode;
    }

    public String keyName() {
        return keyName;
    }

    public int keyVersion() {
        return keyVersion;
    }

    /**
     * The array holding the ciphertext (header and body) in its first {@link #length()} bytes;
     * internal callers must not modify it.
     */
    public byte[] bytes() {
        return bytes;
    }

    /** How many bytes of {@link #bytes()} are the ciphertext. */
    public int length() {
        return length;
    }

    public int headerLength() {
        return headerLength;
    }
}
