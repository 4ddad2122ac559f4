package dev.portcullis.fields;

import java.util.Objects;
import java.util.regex.Pattern;

/** Checks of identifiers shared by the API types. */
final class Validation {

    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Validation() {
    }

    static String tenant(String tenant) {
        Objects.requireNonNull(tenant, "tenant cannot be null");
        if (!TENANT.matcher(tenant).matches()) {
            throw new FieldCryptoException(FieldCryptoException.Code.INVALID_ARGUMENT,
                    "tenant must be 1 to 64 characters of [A-Za-z0-9._-]");
        }
        return tenant;
    }
}
