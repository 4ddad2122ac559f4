package dev.portcullis.keys.rotation;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;
import dev.portcullis.keys.vault.VaultClient;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;

/**
 * The Transit key operations of the rotation job: read a key's versions, rotate it, raise its
 * {@code min_decryption_version}. Needs the {@code portcullis-rotation} policy (it never exports,
 * deletes or reconfigures anything else).
 */
public final class TransitKeyAdmin {

    private final VaultClient vault;
    private final String mount;

    public TransitKeyAdmin(VaultClient vault) {
        this(vault, "transit");
    }

    public TransitKeyAdmin(VaultClient vault, String mount) {
        this.vault = Objects.requireNonNull(vault, "vault cannot be null");
        this.mount = Objects.requireNonNull(mount, "mount cannot be null");
    }

    /**
     * The key's versions as Vault reports them. An answer of the wrong shape (a missing or mistyped
     * member, a version without its creation time) is refused as {@code REJECTED} naming what is
     * wrong, so that a rotation run fails audited instead of crashing on it.
     */
    public TransitKeyVersions read(String name) throws KeyException {
        String path = mount + "/keys/" + name;
        JsonObject data = vault.readIfPresent(path).orElseThrow(() -> new KeyException(
                Reason.NOT_FOUND, "no Transit key " + path + " in Vault (" + vault.address() + ")"));
        String type = data.get("type") != null && data.get("type").isString() ? data.get("type").asString() : "";
        if (type.isEmpty()) {
            throw malformed(path, "no type");
        }
        int latest = positiveInt(data, "latest_version", path);
        int min = positiveInt(data, "min_decryption_version", path);
        JsonValue keys = data.get("keys");
        if (keys == null || !keys.isObject()) {
            throw malformed(path, "keys is not an object");
        }
        TreeMap<Integer, Instant> created = new TreeMap<>();
        for (JsonObject.Member member : keys.asObject()) {
            int version;
            try {
                version = Integer.parseInt(member.getName());
            } catch (NumberFormatException e) {
                throw malformed(path, "keys has a member '" + member.getName() + "' that is no version number");
            }
            created.put(version, creationTime(member.getValue(), version, path));
        }
        if (!created.containsKey(latest)) {
            throw malformed(path, "keys does not list the latest version " + latest);
        }
        return new TransitKeyVersions(name, type, latest, min, created);
    }

    /** Symmetric keys list Unix seconds; asymmetric ones an object with an RFC 3339 {@code creation_time}. */
    private static Instant creationTime(JsonValue value, int version, String path) {
        try {
            if (value.isNumber()) {
                return Instant.ofEpochSecond(value.asLong());
            }
            if (value.isObject() && value.asObject().get("creation_time") != null
                    && value.asObject().get("creation_time").isString()) {
                return Instant.parse(value.asObject().get("creation_time").asString());
            }
        } catch (RuntimeException e) {
            // falls through to the refusal below
        }
        throw malformed(path, "version " + version + " has no readable creation time");
    }

    private static int positiveInt(JsonObject data, String member, String path) {
        JsonValue value = data.get(member);
        if (value == null || !value.isNumber()) {
            throw malformed(path, member + " is missing or not a number");
        }
        try {
            int n = value.asInt();
            if (n >= 1) {
                return n;
            }
        } catch (RuntimeException e) {
            // not an int: refused below
        }
        throw malformed(path, member + " is not a positive integer");
    }

    private static KeyException malformed(String path, String what) {
        return new KeyException(Reason.REJECTED, "Vault's answer for " + path + " is malformed: " + what);
    }

    /** Adds a new newest version (Transit {@code rotate}); returns the key's versions afterwards. */
    public TransitKeyVersions rotate(String name) throws KeyException {
        vault.writeOnce(mount + "/keys/" + name + "/rotate", Map.of());
        return read(name);
    }

    /** Raises {@code min_decryption_version} to {@code version}. */
    public void setMinDecryptionVersion(String name, int version) throws KeyException {
        vault.write(mount + "/keys/" + name + "/config", Map.of("min_decryption_version", version));
    }
}
