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

    /** The key's versions as Vault reports them. */
    public TransitKeyVersions read(String name) throws KeyException {
        JsonObject data = vault.readIfPresent(mount + "/keys/" + name).orElseThrow(() -> new KeyException(
                Reason.NOT_FOUND, "no Transit key " + mount + "/keys/" + name + " in Vault (" + vault.address() + ")"));
        TreeMap<Integer, Instant> created = new TreeMap<>();
        JsonValue keys = data.get("keys");
        if (keys != null && keys.isObject()) {
            for (JsonObject.Member member : keys.asObject()) {
                JsonValue v = member.getValue();
                Instant at;
                if (v.isNumber()) {
                    at = Instant.ofEpochSecond(v.asLong()); // symmetric keys: Unix seconds
                } else if (v.isObject()) {
                    at = Instant.parse(v.asObject().getString("creation_time", "1970-01-01T00:00:00Z")); // asymmetric
                } else {
                    continue;
                }
                created.put(Integer.parseInt(member.getName()), at);
            }
        }
        return new TransitKeyVersions(name, data.getString("type", ""), data.getInt("latest_version", 0),
                data.getInt("min_decryption_version", 1), created);
    }

    /** Adds a new newest version (Transit {@code rotate}); returns the key's versions afterwards. */
    public TransitKeyVersions rotate(String name) throws KeyException {
        vault.write(mount + "/keys/" + name + "/rotate", Map.of());
        return read(name);
    }

    /** Raises {@code min_decryption_version} to {@code version}. */
    public void setMinDecryptionVersion(String name, int version) throws KeyException {
        vault.write(mount + "/keys/" + name + "/config", Map.of("min_decryption_version", version));
    }
}
