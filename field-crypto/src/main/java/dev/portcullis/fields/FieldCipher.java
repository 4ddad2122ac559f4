package dev.portcullis.fields;

import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.portcullis.fields.FieldCryptoException.Code;
import dev.portcullis.fields.internal.AesGcm;
import dev.portcullis.fields.internal.AesSiv;
import dev.portcullis.fields.internal.AuthenticationFailedException;
import dev.portcullis.fields.internal.DerivedKeys;
import dev.portcullis.fields.internal.Envelope;
import dev.portcullis.fields.internal.JceAesGcm;
import dev.portcullis.fields.internal.JceAesSiv;
import dev.portcullis.fields.json.NormalizedPath;
import dev.portcullis.fields.keys.DataKeySource;

/**
 * Encrypts and decrypts single field values in the Portcullis field ciphertext format
 * ({@code docs/field-encryption.md}), with keys from a {@link DataKeySource}.
 *
 * <p><b>Guarantees.</b> {@link #encrypt} is randomized AEAD (AES-256-GCM, fresh 96-bit random
 * nonce): confidentiality of the value (all but its length) and integrity of the ciphertext, its
 * header and its {@link FieldContext} (tenant, record id, field path). {@link #encryptDeterministically}
 * is deterministic AEAD (AES-256-SIV, RFC 5297): the same, except that equal values of the same
 * field and tenant give equal ciphertexts, and the record id is not bound. {@link #decrypt} either
 * returns exactly the bytes that were encrypted under the same context, or throws; it never
 * returns other plaintext.
 *
 * <p><b>Two forms, one format.</b> The methods returning {@code String} give the text form
 * ({@code pcf:} + base64url), which documents carry; the {@code ...Binary} methods give and take
 * the binary form (the same bytes, not text-encoded) for callers that store bytes.
 *
 * <p><b>Limits.</b> Random nonces: at most 2^32 encryptions per key version (NIST SP 800-38D
 * section 8.3); rotate data keys well before (the keyring adds a version). Lengths are not hidden.
 *
 * <p>Thread-safe.
 */
public final class FieldCipher {

    /** Default limit of one value's plaintext: 1 MiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
    /** Prefix of blind-index tokens. */
    public static final String BLIND_INDEX_PREFIX = "pbi:";
    /** Blind-index tokens keep this many bytes of the HMAC-SHA-256. */
    public static final int BLIND_INDEX_BYTES = 16;

    private final DataKeySource keys;
    private final AesGcm gcm;
    private final AesSiv siv;
    private final ThreadLocal<SecureRandom> random;
    /** Per-thread nonce buffers for the default constructor; null when a caller supplied the random source. */
    private final ThreadLocal<NonceBuffer> nonces;
    private final int maxValueBytes;
    /** The longest ciphertext (binary form) parsed: the value limit plus room for any header and body overhead. */
    private final int maxCiphertextBytes;

    /**
     * A cipher using the JDK's AES-GCM, nonces from a {@code DRBG} {@link SecureRandom} per thread
     * (NIST SP 800-90A Hash_DRBG with SHA-256 at 256-bit strength, seeded by the JDK from the
     * system's entropy source) drawn 4 KiB at a time, and the default value limit. Per 12-byte
     * nonce drawn that way, the DRBG measured ~40-70 ns against ~140-190 ns for the platform
     * default ({@code NativePRNG} on Linux, which mixes SHA1PRNG output into every read); one
     * nonce per call is the other way round (~500 ns for the DRBG, ~190 ns for NativePRNG).
     */
    public FieldCipher(DataKeySource keys) {
        this(keys, new JceAesGcm(), new JceAesSiv(), ThreadLocal.withInitial(FieldCipher::nonceSource),
                DEFAULT_MAX_VALUE_BYTES, true);
    }

    private static SecureRandom nonceSource() {
        try {
            return SecureRandom.getInstance("DRBG",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.NONE, null));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides no DRBG SecureRandom", e);
        }
    }

    /**
     * @param keys where keys come from
     * @param gcm the AES-GCM implementation (the JDK's by default; Bouncy Castle's is the alternative)
     * @param random the nonce source
     * @param maxValueBytes the largest plaintext accepted
     */
    public FieldCipher(DataKeySource keys, AesGcm gcm, SecureRandom random, int maxValueBytes) {
        this(keys, gcm, new JceAesSiv(), random, maxValueBytes);
    }

    /**
     * As {@link #FieldCipher(DataKeySource, AesGcm, SecureRandom, int)}, with the AES-SIV
     * implementation too (the JDK's by default; Bouncy Castle's is the alternative).
     */
    public FieldCipher(DataKeySource keys, AesGcm gcm, AesSiv siv, SecureRandom random, int maxValueBytes) {
        this(keys, gcm, siv, shared(Objects.requireNonNull(random, "random cannot be null")), maxValueBytes, false);
    }

    private FieldCipher(DataKeySource keys, AesGcm gcm, AesSiv siv, ThreadLocal<SecureRandom> random,
            int maxValueBytes, boolean bufferNonces) {
        this.keys = Objects.requireNonNull(keys, "keys cannot be null");
        this.gcm = Objects.requireNonNull(gcm, "gcm cannot be null");
        this.siv = Objects.requireNonNull(siv, "siv cannot be null");
        this.random = random;
        this.nonces = bufferNonces ? ThreadLocal.withInitial(() -> new NonceBuffer(random.get())) : null;
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive");
        }
        this.maxValueBytes = maxValueBytes;
        this.maxCiphertextBytes = (int) Math.min(Integer.MAX_VALUE, maxValueBytes + 256L);
    }

    /** Encrypts {@code plaintext} under the primary version of {@code keysetId}, randomized. */
    public String encrypt(String keysetId, byte[] plaintext, FieldContext context) {
        return text(sealWithPrimary(EncryptionMode.RANDOMIZED, keysetId, plaintext, context));
    }

    /**
     * Encrypts {@code plaintext} deterministically (AES-256-SIV) under the primary version of
     * {@code keysetId}, bound to the tenant and the generalized field path only. Use only for
     * values that must be searched by equality, and only for values with many possible values
     * (a boolean encrypted deterministically is not hidden at all).
     */
    public String encryptDeterministically(String keysetId, byte[] plaintext, FieldContext context) {
        return text(sealWithPrimary(EncryptionMode.DETERMINISTIC, keysetId, plaintext, context));
    }

    /**
     * One document's fields' shared context, for {@link DocumentCipher}: the tenant and record id
     * encoded once for all the fields, and the keys of the document's last lookups (held for the
     * one call only; a key found destroyed is looked up again, so a forgotten subject's key fails
     * as {@link Code#KEY_DESTROYED} exactly as with a lookup per field). Not thread-safe: one per call.
     */
    static final class RecordScope {
        private final FieldContext base;
        private final byte[] tenant;
        private final byte[] record;
        private String primaryKeysetId;
        private DerivedKeys primary;
        private String versionKeyName;
        private int versionNumber;
        private DerivedKeys version;

        RecordScope(String tenant, String recordId) {
            this.base = new FieldContext(tenant, recordId, "$");
            this.tenant = tenant.getBytes(StandardCharsets.UTF_8);
            this.record = recordId.getBytes(StandardCharsets.UTF_8);
        }

        /** The context of the field at {@code path} (checked as every {@link FieldContext} is). */
        FieldContext field(String path) {
            return base.withFieldPath(path);
        }
    }

    /**
     * As {@link #encrypt} ({@code mode} randomized) or {@link #encryptDeterministically}, for a
     * field of {@code scope}'s document at {@code context}'s path, but the ciphertext comes as the
     * ASCII bytes of a JSON string (in double quotes), ready to splice into a document without
     * another copy.
     */
    byte[] encryptToJsonString(EncryptionMode mode, String keysetId, byte[] plaintext, RecordScope scope,
            FieldContext context) {
        checkValue(plaintext, context);
        DerivedKeys k = scope.primary;
        if (k == null || !keysetId.equals(scope.primaryKeysetId) || k.isDestroyed()) {
            k = keys.primary(keysetId);
            scope.primaryKeysetId = keysetId;
            scope.primary = k;
        }
        byte[] path = boundPath(mode, context).getBytes(StandardCharsets.UTF_8);
        try {
            return Envelope.encodeAscii(seal(mode, k, plaintext, associatedData(k, mode, scope, path)), true);
        } catch (IllegalStateException e) {
            if (!k.isDestroyed()) {
                throw e;
            }
            k = keys.primary(keysetId);
            scope.primary = k;
            return Envelope.encodeAscii(seal(mode, k, plaintext, associatedData(k, mode, scope, path)), true);
        }
    }

    /** Decrypts an envelope {@link #parse} returned, a field of {@code scope}'s document at {@code context}'s path. */
    byte[] decrypt(Envelope envelope, RecordScope scope, FieldContext context) {
        DerivedKeys k = scope.version;
        if (k == null || scope.versionNumber != envelope.keyVersion() || !envelope.keyName().equals(scope.versionKeyName)
                || k.isDestroyed()) {
            k = keys.version(envelope.keyName(), envelope.keyVersion());
            scope.versionKeyName = envelope.keyName();
            scope.versionNumber = envelope.keyVersion();
            scope.version = k;
        }
        byte[] path = boundPath(envelope.mode(), context).getBytes(StandardCharsets.UTF_8);
        try {
            return open(envelope, k, associatedData(k, envelope.mode(), scope, path), context);
        } catch (IllegalStateException e) {
            if (!k.isDestroyed()) {
                throw e;
            }
            k = keys.version(envelope.keyName(), envelope.keyVersion());
            scope.version = k;
            return open(envelope, k, associatedData(k, envelope.mode(), scope, path), context);
        }
    }

    /**
     * Parses a ciphertext's envelope from the document bytes {@code [from, to)} (the inside of a
     * JSON string without escapes), for {@link #decrypt(Envelope, RecordScope, FieldContext)}.
     */
    Envelope parse(byte[] document, int from, int to, String pathForErrors) {
        return Envelope.parse(document, from, to, pathForErrors, maxCiphertextBytes);
    }

    private static byte[] associatedData(DerivedKeys k, EncryptionMode mode, RecordScope scope, byte[] path) {
        return Envelope.associatedData(k.associatedDataPrefix(mode), scope.tenant,
                mode == EncryptionMode.RANDOMIZED ? scope.record : null, path);
    }

    /** Parses a ciphertext's envelope (unauthenticated until decrypted), for {@link #decrypt(Envelope, FieldContext)}. */
    Envelope parse(String ciphertext, String pathForErrors) {
        return Envelope.parse(ciphertext, pathForErrors, maxCiphertextBytes);
    }

    /** Decrypts an envelope {@link #parse} returned, bound to {@code context}. */
    byte[] decrypt(Envelope envelope, FieldContext context) {
        Objects.requireNonNull(context, "context cannot be null");
        DerivedKeys k = keys.version(envelope.keyName(), envelope.keyVersion());
        try {
            return open(envelope, k, context);
        } catch (IllegalStateException e) {
            if (!k.isDestroyed()) {
                throw e;
            }
            // Evicted or destroyed meanwhile: ask once more (a forgotten key now fails as KEY_DESTROYED).
            return open(envelope, keys.version(envelope.keyName(), envelope.keyVersion()), context);
        }
    }

    /** Decrypts a ciphertext of either mode, with the key its header names. */
    public byte[] decrypt(String ciphertext, FieldContext context) {
        return decrypt(ciphertext, context, null);
    }

    /**
     * Decrypts {@code ciphertext}, which must be of mode {@code expected} (null: either), bound to
     * {@code context}. Throws {@link FieldCryptoException} with the reason, never returns other data.
     */
    public byte[] decrypt(String ciphertext, FieldContext context, EncryptionMode expected) {
        Objects.requireNonNull(ciphertext, "ciphertext cannot be null");
        Objects.requireNonNull(context, "context cannot be null");
        Envelope envelope = parse(ciphertext, context.fieldPath());
        checkMode(envelope, expected, context);
        return decrypt(envelope, context);
    }

    private static void checkMode(Envelope envelope, EncryptionMode expected, FieldContext context) {
        if (expected != null && envelope.mode() != expected) {
            throw new FieldCryptoException(Code.WRONG_MODE, "the ciphertext at " + context.fieldPath() + " is "
                    + envelope.mode().wireName() + ", but " + expected.wireName() + " was expected");
        }
    }

    /** Reads a ciphertext's header without a key (unauthenticated until decrypted). */
    public CiphertextInfo describe(String ciphertext, String pathForErrors) {
        Envelope envelope = Envelope.parse(ciphertext, pathForErrors, maxCiphertextBytes);
        return new CiphertextInfo(Envelope.VERSION_1, envelope.mode(), envelope.keyName(), envelope.keyVersion());
    }

    /**
     * As {@link #encrypt}, but the ciphertext in its binary form: the bytes that the text form
     * ({@code pcf:} + base64url) encodes, for callers that store bytes rather than JSON (a binary
     * column, a message payload). {@link #toText} and {@link #toBinary} convert between the forms.
     */
    public byte[] encryptToBinary(String keysetId, byte[] plaintext, FieldContext context) {
        return sealWithPrimary(EncryptionMode.RANDOMIZED, keysetId, plaintext, context);
    }

    /** As {@link #encryptDeterministically}, the ciphertext in its binary form (see {@link #encryptToBinary}). */
    public byte[] encryptDeterministicallyToBinary(String keysetId, byte[] plaintext, FieldContext context) {
        return sealWithPrimary(EncryptionMode.DETERMINISTIC, keysetId, plaintext, context);
    }

    /** Decrypts a ciphertext of either mode in its binary form, with the key its header names. */
    public byte[] decryptBinary(byte[] ciphertext, FieldContext context) {
        return decryptBinary(ciphertext, context, null);
    }

    /**
     * Decrypts a ciphertext in its binary form, which must be of mode {@code expected} (null:
     * either), bound to {@code context}; as {@link #decrypt(String, FieldContext, EncryptionMode)}.
     * {@code ciphertext} is copied first (a String is immutable, an array is not): what is
     * authenticated is what is decrypted, even if the caller's array changes during the call.
     */
    public byte[] decryptBinary(byte[] ciphertext, FieldContext context, EncryptionMode expected) {
        Objects.requireNonNull(ciphertext, "ciphertext cannot be null");
        Objects.requireNonNull(context, "context cannot be null");
        Envelope.checkBinaryLength(ciphertext.length, context.fieldPath(), maxCiphertextBytes); // before copying
        CopyBuffer copy = COPY_BUFFERS.get();
        byte[] into = copy.borrow(ciphertext.length);
        try {
            System.arraycopy(ciphertext, 0, into, 0, ciphertext.length);
            Envelope envelope = Envelope.parseBinary(into, ciphertext.length, context.fieldPath(), maxCiphertextBytes);
            checkMode(envelope, expected, context);
            return decrypt(envelope, context);
        } finally {
            copy.giveBack(into);
        }
    }

    /**
     * The per-thread array {@link #decryptBinary} copies its input into. The copy is what keeps
     * "what is authenticated is what is decrypted" unconditional, and into a fresh array it cost
     * more than the decryption's own work beyond Tink's: at 4 KiB, writing cache lines the thread
     * never touched (the allocation moving on through the heap) took ~0.6 us against ~0.05 us into
     * memory it wrote on the previous call (docs/benchmarks.md, round 6). The array holds only
     * ciphertext, which is not secret; it is never handed out, and a nested or oversized use gets
     * an array of its own.
     */
    private static final class CopyBuffer {
        /** Beyond this the buffer is not kept: one huge field must not pin its size on a thread. */
        static final int MAX_KEPT_BYTES = 64 * 1024;
        private byte[] array = new byte[0];
        private boolean lent;

        byte[] borrow(int length) {
            if (lent || length > MAX_KEPT_BYTES) {
                return new byte[length];
            }
            if (array.length < length) {
                array = new byte[Math.max(length, Math.min(MAX_KEPT_BYTES, 2 * array.length))];
            }
            lent = true;
            return array;
        }

        void giveBack(byte[] borrowed) {
            if (borrowed == array) {
                lent = false;
            }
        }
    }

    private static final ThreadLocal<CopyBuffer> COPY_BUFFERS = ThreadLocal.withInitial(CopyBuffer::new);

    /**
     * The text form ({@code pcf:} + base64url) of a ciphertext in its binary form. Only the
     * encoding changes: nothing is checked or decrypted.
     */
    public static String toText(byte[] binaryCiphertext) {
        return Envelope.encode(Objects.requireNonNull(binaryCiphertext, "binaryCiphertext cannot be null"));
    }

    /**
     * The binary form of a ciphertext in its text form, after the same checks of prefix,
     * base64url spelling and header as decryption makes (nothing is decrypted: the ciphertext is
     * unauthenticated until it is).
     */
    public byte[] toBinary(String ciphertext, String pathForErrors) {
        Objects.requireNonNull(ciphertext, "ciphertext cannot be null");
        // The decoded array belongs to this envelope alone, which goes no further: no copy needed.
        return Envelope.parse(ciphertext, pathForErrors, maxCiphertextBytes).bytes();
    }

    /**
     * A blind index of {@code value} (its canonical bytes) for equality lookups: {@code pbi:} +
     * key version + {@code :} + base64url of the first 16 bytes of HMAC-SHA-256 over tenant,
     * generalized field path and value, keyed with the blind-index key of {@code keysetId}'s
     * version {@code version} (0: the primary). Equal inputs give equal tokens; a token reveals
     * nothing else about the value, except to someone who can guess the value and has the key.
     */
    public String blindIndex(String keysetId, int version, String tenant, String generalizedPath, byte[] value) {
        Validation.tenant(tenant);
        return withKeys(() -> version == 0 ? keys.primary(keysetId) : keys.version(keysetId, version), k -> {
            byte[] key = k.blindIndexKey();
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update(lengthPrefixed(tenant));
                mac.update(lengthPrefixed(generalizedPath));
                mac.update(value);
                byte[] tag = Arrays.copyOf(mac.doFinal(), BLIND_INDEX_BYTES);
                return BLIND_INDEX_PREFIX + k.keyVersion() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA-256 is unavailable", e);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        });
    }

    /**
     * Random nonces drawn from the random source 4 KiB at a time (341 nonces per call instead of
     * one), each handed out exactly once and then overwritten. Nonces are not secret; what matters
     * is that they are uniformly random and never repeat, which buffering does not change.
     */
    private static final class NonceBuffer {
        private final SecureRandom random;
        private final byte[] buffer = new byte[AesGcm.NONCE_BYTES * 341];
        private int position = buffer.length;

        NonceBuffer(SecureRandom random) {
            this.random = random;
        }

        /** Writes the next nonce into {@code out} at {@code offset}. */
        void next(byte[] out, int offset) {
            if (position == buffer.length) {
                random.nextBytes(buffer);
                position = 0;
            }
            System.arraycopy(buffer, position, out, offset, AesGcm.NONCE_BYTES);
            Arrays.fill(buffer, position, position + AesGcm.NONCE_BYTES, (byte) 0);
            position += AesGcm.NONCE_BYTES;
        }
    }

    private static ThreadLocal<SecureRandom> shared(SecureRandom random) {
        return ThreadLocal.withInitial(() -> random);
    }

    private static byte[] lengthPrefixed(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[4 + b.length];
        out[0] = (byte) (b.length >>> 24);
        out[1] = (byte) (b.length >>> 16);
        out[2] = (byte) (b.length >>> 8);
        out[3] = (byte) b.length;
        System.arraycopy(b, 0, out, 4, b.length);
        return out;
    }

    /**
     * Seals under the primary of {@code keysetId}, asking once more if its keys were destroyed
     * meanwhile; the ciphertext in its binary form.
     */
    private byte[] sealWithPrimary(EncryptionMode mode, String keysetId, byte[] plaintext, FieldContext context) {
        checkValue(plaintext, context);
        DerivedKeys k = keys.primary(keysetId);
        try {
            return seal(mode, k, plaintext, context);
        } catch (IllegalStateException e) {
            if (!k.isDestroyed()) {
                throw e;
            }
            return seal(mode, keys.primary(keysetId), plaintext, context);
        }
    }

    /** The text form of a binary ciphertext. */
    private static String text(byte[] binary) {
        return Envelope.encode(binary);
    }

    private byte[] seal(EncryptionMode mode, DerivedKeys k, byte[] plaintext, FieldContext context) {
        return seal(mode, k, plaintext,
                Envelope.associatedData(k.associatedDataPrefix(mode), mode, context, boundPath(mode, context)));
    }

    /** The ciphertext in its binary form: header, then the body of {@code mode}. */
    private byte[] seal(EncryptionMode mode, DerivedKeys k, byte[] plaintext, byte[] ad) {
        byte[] header = k.header(mode);
        byte[] out = new byte[header.length + Envelope.overhead(mode) + plaintext.length];
        System.arraycopy(header, 0, out, 0, header.length);
        if (mode == EncryptionMode.RANDOMIZED) {
            byte[] nonce = new byte[AesGcm.NONCE_BYTES];
            if (nonces != null) {
                nonces.get().next(nonce, 0);
            } else {
                random.get().nextBytes(nonce);
            }
            System.arraycopy(nonce, 0, out, header.length, nonce.length);
            gcm.seal(k.aeadKeyObject(), nonce, plaintext, ad, out, header.length + nonce.length);
        } else {
            siv.seal(k.sivKeyObject(), List.of(ad), plaintext, out, header.length);
        }
        return out;
    }

    private byte[] open(Envelope envelope, DerivedKeys k, FieldContext context) {
        EncryptionMode mode = envelope.mode();
        return open(envelope, k,
                Envelope.associatedData(k.associatedDataPrefix(mode), mode, context, boundPath(mode, context)), context);
    }

    /**
     * Opens with associated data {@code ad} built from {@code k}'s cached prefix. The header
     * encoding is canonical: that prefix is these very header bytes when {@code k} is the key the
     * header names (checked; else, a key source that answered with another key, the associated
     * data is rebuilt from the header's own bytes and the tag fails as it should).
     */
    private byte[] open(Envelope envelope, DerivedKeys k, byte[] ad, FieldContext context) {
        byte[] bytes = envelope.bytes();
        int h = envelope.headerLength();
        EncryptionMode mode = envelope.mode();
        if (!k.keyName().equals(envelope.keyName()) || k.keyVersion() != envelope.keyVersion()) {
            ad = Envelope.associatedData(bytes, h, mode, context, boundPath(mode, context));
        }
        try {
            if (mode == EncryptionMode.RANDOMIZED) {
                byte[] nonce = Arrays.copyOfRange(bytes, h, h + AesGcm.NONCE_BYTES);
                int offset = h + AesGcm.NONCE_BYTES;
                return gcm.open(k.aeadKeyObject(), nonce, bytes, offset, envelope.length() - offset, ad);
            }
            return siv.open(k.sivKeyObject(), List.of(ad), bytes, h, envelope.length() - h);
        } catch (AuthenticationFailedException e) {
            throw new FieldCryptoException(Code.AUTHENTICATION_FAILED, "the ciphertext at " + context.fieldPath()
                    + " does not authenticate: it was changed, or belongs to another field, record or tenant");
        }
    }

    private static String boundPath(EncryptionMode mode, FieldContext context) {
        return mode == EncryptionMode.RANDOMIZED ? context.fieldPath() : NormalizedPath.generalize(context.fieldPath());
    }

    private void checkValue(byte[] plaintext, FieldContext context) {
        Objects.requireNonNull(plaintext, "plaintext cannot be null");
        Objects.requireNonNull(context, "context cannot be null");
        if (plaintext.length > maxValueBytes) {
            throw new FieldCryptoException(Code.INVALID_ARGUMENT, "the value at " + context.fieldPath() + " is "
                    + plaintext.length + " bytes; the limit is " + maxValueBytes);
        }
    }

    /** Runs {@code action} with keys from {@code lookup}, asking once more if they were destroyed meanwhile. */
    private static <T> T withKeys(java.util.function.Supplier<DerivedKeys> lookup, Function<DerivedKeys, T> action) {
        DerivedKeys k = lookup.get();
        try {
            return action.apply(k);
        } catch (IllegalStateException e) {
            if (!k.isDestroyed()) {
                throw e;
            }
            return action.apply(lookup.get());
        }
    }
}
