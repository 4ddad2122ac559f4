package dev.portcullis.keys.vault;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.datakeys.DataKey;
import io.github.jopenlibs.vault.json.JsonArray;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;

/**
 * A {@link KeyWrapper} whose key-encryption keys are Vault Transit keys
 * (<a href="https://openbao.org/api-docs/secret/transit/">Transit API</a>): data keys are wrapped
 * with {@code transit/encrypt}, unwrapped with {@code transit/decrypt} and moved to the newest KEK
 * version with {@code transit/rewrap}, so the KEK never leaves Vault.
 *
 * <p><b>Guarantees.</b> The wrapped form is Vault's own ciphertext string
 * {@code vault:v<version>:<base64>} (stored as its ASCII bytes in {@link WrappedKey}), whose
 * version is checked against {@link WrappedKey#kekVersion()} before anything is sent. Associated
 * data is bound to the wrapped key: Transit's {@code rewrap} does not accept
 * {@code associated_data}, so the binding is made through Transit <em>key derivation</em>
 * instead: every KEK MUST be a derived key ({@code derived=true}), and each request carries the
 * derivation {@code context} = SHA-256({@value #CONTEXT_LABEL} || 0x00 || associatedData). A
 * wrapped key presented with other associated data is unwrapped under another derived key, and
 * AES-GCM authentication fails (INVALID_CIPHERTEXT). Because Transit silently ignores a context
 * sent to a non-derived key, this wrapper reads each KEK's settings once and refuses
 * (MISCONFIGURED) to use a key that is not derived, not of an AEAD type, exportable, or deletable.
 *
 * <p><b>Warnings.</b> Unwrapped data keys travel from Vault in base64 inside an HTTP response:
 * use TLS to Vault. The base64 strings are JVM strings that cannot be wiped; the decoded key is
 * returned as {@link SecretBytes} and the intermediate arrays are wiped.
 *
 * <p>Thread-safe.
 */
public final class VaultTransitKeyWrapper implements KeyWrapper {

    /** The Transit mount used unless another is given: {@code transit}, as in the local stack. */
    public static final String DEFAULT_MOUNT = "transit";
    /** Domain label hashed into every derivation context. */
    public static final String CONTEXT_LABEL = "portcullis/kek-context/v1";
    /** Key types allowed as KEKs: AEADs that support derivation. */
    public static final Set<String> ALLOWED_KEK_TYPES = Set.of("aes256-gcm96", "chacha20-poly1305");

    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern CIPHERTEXT = Pattern.compile("vault:v([1-9][0-9]{0,9}):[A-Za-z0-9+/=]+");
    private static final int MAX_DATA_KEY_BYTES = 64;

    private final VaultClient vault;
    private final String mount;
    private final Set<String> verifiedKeks = ConcurrentHashMap.newKeySet();

    /** A wrapper over the Transit engine at {@link #DEFAULT_MOUNT}. */
    public VaultTransitKeyWrapper(VaultClient vault) {
        this(vault, DEFAULT_MOUNT);
    }

    /** A wrapper over the Transit engine mounted at {@code mount}. */
    public VaultTransitKeyWrapper(VaultClient vault, String mount) {
        this.vault = Objects.requireNonNull(vault, "vault cannot be null");
        this.mount = requireName(Objects.requireNonNull(mount, "mount cannot be null"), "mount");
    }

    @Override
    public WrappedKey wrap(String kekName, SecretBytes dataKey, byte[] associatedData) throws KeyException {
        Objects.requireNonNull(dataKey, "dataKey cannot be null");
        Objects.requireNonNull(associatedData, "associatedData cannot be null");
        requireUsableKek(kekName);
        if (dataKey.length() == 0 || dataKey.length() > MAX_DATA_KEY_BYTES) {
            throw new IllegalArgumentException("data keys are 1 to " + MAX_DATA_KEY_BYTES + " bytes, was " + dataKey.length());
        }
        byte[] raw = dataKey.toByteArray();
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            body.put("plaintext", Base64.getEncoder().encodeToString(raw));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
        body.put("context", context(associatedData));
        JsonObject data = vault.write(mount + "/encrypt/" + kekName, body);
        return parseWrapped(kekName, data.getString("ciphertext", null));
    }

    @Override
    public SecretBytes unwrap(WrappedKey wrapped, byte[] associatedData) throws KeyException {
        Objects.requireNonNull(wrapped, "wrapped cannot be null");
        Objects.requireNonNull(associatedData, "associatedData cannot be null");
        String ciphertext = checkedCiphertext(wrapped);
        requireUsableKek(wrapped.kekName());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ciphertext", ciphertext);
        body.put("context", context(associatedData));
        JsonObject data = vault.write(mount + "/decrypt/" + wrapped.kekName(), body);
        return decodeSecret(data.getString("plaintext", null), "decrypt");
    }

    @Override
    public WrappedKey rewrap(WrappedKey wrapped, byte[] associatedData) throws KeyException {
        Objects.requireNonNull(wrapped, "wrapped cannot be null");
        Objects.requireNonNull(associatedData, "associatedData cannot be null");
        String ciphertext = checkedCiphertext(wrapped);
        requireUsableKek(wrapped.kekName());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ciphertext", ciphertext);
        body.put("context", context(associatedData));
        JsonObject data = vault.write(mount + "/rewrap/" + wrapped.kekName(), body);
        return parseWrapped(wrapped.kekName(), data.getString("ciphertext", null));
    }

    /** One item of a batch re-wrap: the wrapped key and its associated data. */
    public record RewrapItem(WrappedKey wrapped, byte[] associatedData) {
        public RewrapItem {
            Objects.requireNonNull(wrapped, "wrapped cannot be null");
            associatedData = Objects.requireNonNull(associatedData, "associatedData cannot be null").clone();
        }
    }

    /** The outcome of one batch item: the re-wrapped key, or why it failed. */
    public record RewrapResult(WrappedKey rewrapped, KeyException failure) {
        public boolean ok() {
            return rewrapped != null;
        }
    }

    /**
     * Re-wraps all {@code items} (all under KEK {@code kekName}) in one Transit batch request;
     * the results are in the same order. A failure of one item (tampered, unknown AD) is reported
     * in its result and does not fail the others; a failure of the request fails the whole call.
     */
    public List<RewrapResult> rewrapBatch(String kekName, List<RewrapItem> items) throws KeyException {
        requireUsableKek(kekName);
        Objects.requireNonNull(items, "items cannot be null");
        if (items.isEmpty()) {
            return List.of();
        }
        JsonArray batch = new JsonArray();
        for (RewrapItem item : items) {
            if (!item.wrapped().kekName().equals(kekName)) {
                throw new IllegalArgumentException("batch item under KEK " + item.wrapped().kekName()
                        + " in a batch for " + kekName);
            }
            batch.add(new JsonObject()
                    .add("ciphertext", checkedCiphertext(item.wrapped()))
                    .add("context", context(item.associatedData())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("batch_input", batch);
        JsonObject data = vault.write(mount + "/rewrap/" + kekName, body);
        JsonValue results = data.get("batch_results");
        if (results == null || !results.isArray() || results.asArray().size() != items.size()) {
            throw new KeyException(Reason.REJECTED, "Transit batch rewrap for " + kekName
                    + " returned " + (results == null ? "no" : "a malformed") + " batch_results");
        }
        List<RewrapResult> out = new ArrayList<>(items.size());
        for (JsonValue value : results.asArray()) {
            JsonObject result = value.asObject();
            String error = result.getString("error", "");
            if (!error.isEmpty()) {
                out.add(new RewrapResult(null, new KeyException(Reason.INVALID_CIPHERTEXT,
                        "Transit could not re-wrap a key under " + kekName + ": " + error)));
            } else {
                out.add(new RewrapResult(parseWrapped(kekName, result.getString("ciphertext", null)), null));
            }
        }
        return out;
    }

    /**
     * A new random data key of {@code bits} (128, 256 or 512) generated by Vault
     * ({@code transit/datakey/plaintext}) and wrapped under the newest version of {@code kekName},
     * bound to {@code associatedData}. The caller owns (and must close) the returned key.
     */
    public DataKey generateDataKey(String kekName, int bits, byte[] associatedData) throws KeyException {
        Objects.requireNonNull(associatedData, "associatedData cannot be null");
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("Transit data keys are 128, 256 or 512 bits, not " + bits);
        }
        requireUsableKek(kekName);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bits", bits);
        body.put("context", context(associatedData));
        JsonObject data = vault.write(mount + "/datakey/plaintext/" + kekName, body);
        WrappedKey wrapped = parseWrapped(kekName, data.getString("ciphertext", null));
        return new DataKey(decodeSecret(data.getString("plaintext", null), "datakey"), wrapped);
    }

    /**
     * Checks once per KEK that it exists and is safe to use as this wrapper needs: a derived AEAD
     * key, neither exportable nor deletable, without plaintext backup. Needs {@code read} on
     * {@code transit/keys/NAME}, which the service policy grants.
     */
    public void requireUsableKek(String kekName) throws KeyException {
        requireName(Objects.requireNonNull(kekName, "kekName cannot be null"), "KEK name");
        if (verifiedKeks.contains(kekName)) {
            return;
        }
        JsonObject key = vault.readIfPresent(mount + "/keys/" + kekName).orElseThrow(() -> new KeyException(
                Reason.NOT_FOUND, "no Transit key " + mount + "/keys/" + kekName + " in Vault (" + vault.address() + ")"));
        String type = key.getString("type", "");
        List<String> problems = new ArrayList<>();
        if (!ALLOWED_KEK_TYPES.contains(type)) {
            problems.add("type is " + type + ", expected one of " + ALLOWED_KEK_TYPES);
        }
        if (!key.getBoolean("derived", false)) {
            problems.add("it is not a derived key (create it with derived=true: associated data is bound"
                    + " through the derivation context)");
        }
        if (key.getBoolean("exportable", false)) {
            problems.add("it is exportable");
        }
        if (key.getBoolean("allow_plaintext_backup", false)) {
            problems.add("it allows plaintext backup");
        }
        if (key.getBoolean("deletion_allowed", false)) {
            problems.add("deletion is allowed");
        }
        if (!problems.isEmpty()) {
            throw new KeyException(Reason.MISCONFIGURED, "Transit key " + mount + "/keys/" + kekName
                    + " cannot be a Portcullis KEK: " + String.join("; ", problems));
        }
        verifiedKeks.add(kekName);
    }

    /** The derivation context for {@code associatedData}, base64 (see class comment). */
    static String context(byte[] associatedData) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(CONTEXT_LABEL.getBytes(StandardCharsets.US_ASCII));
            sha256.update((byte) 0);
            sha256.update(associatedData);
            return Base64.getEncoder().encodeToString(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Parses Vault's {@code vault:vN:...} into a {@link WrappedKey}; a malformed answer is refused. */
    static WrappedKey parseWrapped(String kekName, String ciphertext) {
        if (ciphertext == null) {
            throw new KeyException(Reason.REJECTED, "Vault returned no ciphertext for KEK " + kekName);
        }
        Matcher m = CIPHERTEXT.matcher(ciphertext);
        if (!m.matches()) {
            throw new KeyException(Reason.INVALID_CIPHERTEXT, "Vault returned a ciphertext for KEK " + kekName
                    + " that is not of the form vault:v<version>:<base64>");
        }
        return new WrappedKey(kekName, Integer.parseInt(m.group(1)), ciphertext.getBytes(StandardCharsets.US_ASCII));
    }

    /** The wrapped key's ciphertext as Vault's string, after checking its form and version. */
    static String checkedCiphertext(WrappedKey wrapped) {
        String ciphertext = new String(wrapped.ciphertext(), StandardCharsets.US_ASCII);
        Matcher m = CIPHERTEXT.matcher(ciphertext);
        if (!m.matches()) {
            throw new KeyException(Reason.INVALID_CIPHERTEXT, "wrapped key under " + wrapped.kekName()
                    + " is not a Transit ciphertext (vault:v<version>:<base64>)");
        }
        if (Integer.parseInt(m.group(1)) != wrapped.kekVersion()) {
            throw new KeyException(Reason.INVALID_CIPHERTEXT, "wrapped key under " + wrapped.kekName()
                    + " says version " + wrapped.kekVersion() + " but its ciphertext is of version " + m.group(1));
        }
        return ciphertext;
    }

    private static SecretBytes decodeSecret(String base64, String operation) {
        if (base64 == null) {
            throw new KeyException(Reason.REJECTED, "Vault's " + operation + " answer holds no plaintext");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new KeyException(Reason.REJECTED, "Vault's " + operation + " answer holds malformed base64");
        }
        return SecretBytes.adopt(raw);
    }

    private static String requireName(String name, String what) {
        if (!KEY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a valid name"
                    + " (letters, digits, '_', '.', '-'; at most 128; no '/')");
        }
        return name;
    }
}
