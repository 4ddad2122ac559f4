package dev.portcullis.keys.signing;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.CheckpointSigner;
import dev.portcullis.audit.checkpoint.NoteKeys;
import dev.portcullis.audit.checkpoint.NoteSignature;
import dev.portcullis.audit.checkpoint.VerifierKey;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.vault.VaultClient;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;

/**
 * A {@link CheckpointSigner} whose Ed25519 key is a Vault Transit key of type {@code ed25519} that
 * never leaves Vault: each checkpoint is signed with {@code transit/sign/<key>} (pure Ed25519,
 * RFC 8032, over the note text) by the key's newest version.
 *
 * <p><b>Rotation.</b> Each Transit key version is a different Ed25519 key, hence a different
 * C2SP key id ({@link NoteKeys#ed25519KeyId}). The signature line carries the key id of the
 * version that actually signed (read from Vault's {@code vault:v<N>:} prefix), and
 * {@link #verifierKeys()} returns one {@link VerifierKey} per version Vault still lists (at or
 * above {@code min_decryption_version}), so checkpoints signed before a rotation keep verifying
 * for anyone who trusts that set. Verification needs only public keys: no Vault call.
 *
 * <p><b>Guarantees.</b> Every signature is checked against the version's public key before it
 * is returned; a key that is not {@code ed25519} is refused; any failure is a
 * {@link CheckpointException} ({@code SIGNING_FAILED}) naming the cause, never an empty signature.
 * Needs {@code update} on {@code transit/sign/<key>} and {@code read} on {@code transit/keys/<key>}
 * (both in the {@code portcullis-service} policy).
 */
public final class VaultTransitCheckpointSigner implements CheckpointSigner {

    private static final Pattern SIGNATURE = Pattern.compile("vault:v([1-9][0-9]{0,9}):([A-Za-z0-9+/=]+)");

    private final VaultClient vault;
    private final String mount;
    private final String transitKey;
    private final String noteKeyName;
    private final Map<Integer, VerifierKey> byVersion = new ConcurrentHashMap<>();

    /**
     * A signer with Transit key {@code transitKey} (e.g. {@code portcullis-audit-checkpoint}) that
     * signs as {@code noteKeyName} (by convention the log's origin).
     */
    public VaultTransitCheckpointSigner(VaultClient vault, String transitKey, String noteKeyName) {
        this(vault, "transit", transitKey, noteKeyName);
    }

    public VaultTransitCheckpointSigner(VaultClient vault, String mount, String transitKey, String noteKeyName) {
        this.vault = Objects.requireNonNull(vault, "vault cannot be null");
        this.mount = Objects.requireNonNull(mount, "mount cannot be null");
        this.transitKey = Objects.requireNonNull(transitKey, "transitKey cannot be null");
        this.noteKeyName = Objects.requireNonNull(noteKeyName, "noteKeyName cannot be null");
        NoteKeys.checkKeyName(noteKeyName);
        if (!transitKey.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("transitKey '" + transitKey + "' is not a valid key name");
        }
    }

    @Override
    public String keyName() {
        return noteKeyName;
    }

    @Override
    public NoteSignature sign(byte[] noteText) throws CheckpointException {
        Objects.requireNonNull(noteText, "noteText cannot be null");
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("input", Base64.getEncoder().encodeToString(noteText));
            JsonObject data = vault.write(mount + "/sign/" + transitKey, body);
            String signature = data.getString("signature", "");
            Matcher m = SIGNATURE.matcher(signature);
            if (!m.matches()) {
                throw failed("Transit returned no signature of the form vault:v<N>:<base64> for " + transitKey, null);
            }
            int version = Integer.parseInt(m.group(1));
            byte[] raw = Base64.getDecoder().decode(m.group(2));
            if (raw.length != NoteKeys.ED25519_SIGNATURE_SIZE) {
                throw failed("Transit key " + transitKey + " returned a " + raw.length + "-byte signature; Ed25519 signatures are 64 bytes", null);
            }
            VerifierKey key = verifierKey(version);
            if (!key.verifies(noteText, raw)) {
                throw failed("the signature Transit made with " + transitKey + " v" + version
                        + " does not verify under that version's public key", null);
            }
            return new NoteSignature(noteKeyName, key.keyId(), raw);
        } catch (KeyException e) {
            throw failed("Vault could not sign the checkpoint with " + transitKey + " (" + e.reason() + "): " + e.getMessage(), e);
        }
    }

    /**
     * The verifier keys of every version of the Transit key that Vault still lists, oldest first:
     * the set a verifier trusts so that checkpoints of every live version verify.
     */
    public List<VerifierKey> verifierKeys() throws CheckpointException {
        try {
            Map<Integer, VerifierKey> all = readPublicKeys();
            byVersion.putAll(all);
            return new ArrayList<>(new java.util.TreeMap<>(all).values());
        } catch (KeyException e) {
            throw failed("cannot read the public keys of " + transitKey + " (" + e.reason() + "): " + e.getMessage(), e);
        }
    }

    private VerifierKey verifierKey(int version) {
        VerifierKey known = byVersion.get(version);
        if (known != null) {
            return known;
        }
        byVersion.putAll(readPublicKeys());
        VerifierKey key = byVersion.get(version);
        if (key == null) {
            throw failed("Vault lists no public key for " + transitKey + " v" + version, null);
        }
        return key;
    }

    private Map<Integer, VerifierKey> readPublicKeys() {
        JsonObject data = vault.read(mount + "/keys/" + transitKey);
        if (!"ed25519".equals(data.getString("type", ""))) {
            throw failed("Transit key " + transitKey + " is of type " + data.getString("type", "?")
                    + "; checkpoints are signed with ed25519 only", null);
        }
        Map<Integer, VerifierKey> out = new LinkedHashMap<>();
        JsonValue keys = data.get("keys");
        if (keys != null && keys.isObject()) {
            for (JsonObject.Member member : keys.asObject()) {
                if (!member.getValue().isObject()) {
                    continue;
                }
                String publicKey = member.getValue().asObject().getString("public_key", null);
                if (publicKey != null) {
                    out.put(Integer.parseInt(member.getName()),
                            VerifierKey.ed25519(noteKeyName, Base64.getDecoder().decode(publicKey)));
                }
            }
        }
        return out;
    }

    private static CheckpointException failed(String message, Throwable cause) {
        return new CheckpointException(CheckpointException.Code.SIGNING_FAILED, message, cause);
    }

    @Override
    public String toString() {
        return "VaultTransitCheckpointSigner[" + mount + "/keys/" + transitKey + " as " + noteKeyName + "]";
    }
}
