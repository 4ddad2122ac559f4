package dev.portcullis.fields;

import java.util.Objects;
import java.util.regex.Pattern;

/** Checks of identifiers shared by the API types. */
final class Validation {

    /** At most 62: a tenant's keyset is named {@code t:<tenant>}, and key names are at most 64 bytes. */
    private static final int TENANT_MAX = 62;
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1," + TENANT_MAX + "}");

    private Validation() {
    }

    static String tenant(String tenant) {
        Objects.requireNonNull(tenant, "tenant cannot be null");
        if (!isTenant(tenant)) {
            throw new FieldCryptoException(FieldCryptoException.Code.INVALID_ARGUMENT,
                    "tenant must be 1 to " + TENANT_MAX + " characters of [A-Za-z0-9._-]");
        }
        return tenant;
    }

    /** {@link #TENANT} without a regex: this runs for every field. */
    private static boolean isTenant(String s) {
        int n = s.length();
        if (n < 1 || n > TENANT_MAX) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
