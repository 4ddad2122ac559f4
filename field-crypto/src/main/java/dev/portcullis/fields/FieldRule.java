package dev.portcullis.fields;

import java.util.Objects;
import java.util.regex.Pattern;

import dev.portcullis.fields.json.JsonPathSelector;

/**
 * One sensitive field of a document type, as the field policy classifies it: which values
 * ({@code selector}), their data class ({@code pii}, {@code pci}, {@code phi}, ...), how they are
 * encrypted, under whose key, and whether a blind index is produced for lookups.
 *
 * @param selector the values (JSONPath subset, see {@link JsonPathSelector})
 * @param dataClass the class that read grants name, {@code [a-z0-9_-]{1,32}}
 * @param mode randomized (default) or deterministic
 * @param keyScope the tenant's key, or the data subject's (crypto-shreddable per subject)
 * @param blindIndex whether to emit a blind index (HMAC) token for equality lookups
 */
public record FieldRule(JsonPathSelector selector, String dataClass, EncryptionMode mode, KeyScope keyScope,
        boolean blindIndex) {

    private static final Pattern CLASS = Pattern.compile("[a-z0-9_-]{1,32}");

    /** Whose data key encrypts the field. */
    public enum KeyScope {
        /** The tenant's keyset. */
        TENANT("tenant"),
        /** The data subject's own keyset: destroyed by forget-subject. */
        SUBJECT("subject");

        private final String wireName;

        KeyScope(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static KeyScope fromWireName(String name) {
            for (KeyScope scope : values()) {
                if (scope.wireName.equals(name)) {
                    return scope;
                }
            }
            return null;
        }
    }

    public FieldRule {
        Objects.requireNonNull(selector, "selector cannot be null");
        Objects.requireNonNull(dataClass, "dataClass cannot be null");
        if (!CLASS.matcher(dataClass).matches()) {
            throw new FieldCryptoException(FieldCryptoException.Code.INVALID_ARGUMENT,
                    "data class must match " + CLASS.pattern() + ", was '" + dataClass + "'");
        }
        Objects.requireNonNull(mode, "mode cannot be null");
        Objects.requireNonNull(keyScope, "keyScope cannot be null");
    }

    /** A randomized, tenant-keyed rule without blind index. */
    public static FieldRule of(String selector, String dataClass) {
        return new FieldRule(JsonPathSelector.parse(selector), dataClass, EncryptionMode.RANDOMIZED, KeyScope.TENANT,
                false);
    }

    public FieldRule withMode(EncryptionMode newMode) {
        return new FieldRule(selector, dataClass, newMode, keyScope, blindIndex);
    }

    public FieldRule withKeyScope(KeyScope newScope) {
        return new FieldRule(selector, dataClass, mode, newScope, blindIndex);
    }

    public FieldRule withBlindIndex(boolean newBlindIndex) {
        return new FieldRule(selector, dataClass, mode, keyScope, newBlindIndex);
    }
}
