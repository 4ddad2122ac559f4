package dev.portcullis.scan;

import java.util.Objects;

/**
 * A violated infrastructure-as-code rule in Terraform configuration.
 *
 * @param id the rule id ({@code PORTCULLIS_TF_...} for our Rego rules, {@code CKV_...} for Checkov)
 * @param tool {@code portcullis-rego} or {@code checkov}
 * @param file the file, relative to the scanned Terraform folder's parent
 * @param resource the Terraform address, e.g. {@code vault_transit_secret_backend_key.fields}
 * @param severity lower case, or null when the tool gave none (open-source Checkov gives none)
 * @param message what is wrong
 * @param fix how to fix it (a sentence or a guideline URL), may be empty
 */
public record IacFinding(
        String id,
        String tool,
        String file,
        String resource,
        String severity,
        String message,
        String fix) implements Finding {

    public static final String TOOL_REGO = "portcullis-rego";
    public static final String TOOL_CHECKOV = "checkov";

    public IacFinding {
        Objects.requireNonNull(id, "id cannot be null");
        Objects.requireNonNull(tool, "tool cannot be null");
        Objects.requireNonNull(file, "file cannot be null");
        Objects.requireNonNull(resource, "resource cannot be null");
        Objects.requireNonNull(message, "message cannot be null");
        fix = fix == null ? "" : fix;
    }

    @Override
    public String key() {
        return id + "||" + file + "|" + resource;
    }
}
