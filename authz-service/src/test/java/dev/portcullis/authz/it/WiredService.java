package dev.portcullis.authz.it;

import java.nio.file.Path;

import dev.portcullis.authz.testing.AuthzService;
import dev.portcullis.testing.LocalStack;

/**
 * The authz-service as these integration tests start it: {@link AuthzService} (in-process, its own
 * ports and audit log, the stack's OPA and Keycloak) plus the Vault wiring of the local stack, as
 * {@code write_authz_config} in bin/lib/stack.sh writes it: the stack's OpenBao over plain HTTP on
 * 127.0.0.1 (allowed for development only) and the two AppRole credentials that
 * {@code issue_vault_credentials} wrote (never the root token).
 */
final class WiredService {

    private WiredService() {
    }

    /** The service with Vault access, and nothing that uses it yet. */
    static AuthzService.Builder withVault(LocalStack stack, Path work) {
        return AuthzService.builder(stack, work)
                .property("portcullis.vault.address", stack.get("openbao.addr"))
                .property("portcullis.vault.allow-plaintext-http-for-development", "true")
                .property("portcullis.vault.service.role-id-file", stack.get("vault.service.role-id-file"))
                .property("portcullis.vault.service.secret-id-file", stack.get("vault.service.secret-id-file"))
                .property("portcullis.vault.rotation.role-id-file", stack.get("vault.rotation.role-id-file"))
                .property("portcullis.vault.rotation.secret-id-file", stack.get("vault.rotation.secret-id-file"));
    }

    /** Key management with the dev stack's catalog; the scheduler on (P30D and P90D: it will not rotate during a test). */
    static AuthzService.Builder withKeys(AuthzService.Builder builder) {
        return builder
                .property("portcullis.keys.enabled", "true")
                .property("portcullis.keys.catalog.portcullis-fields.purpose", "field-encryption-kek")
                .property("portcullis.keys.catalog.portcullis-fields.type", "aes256-gcm96")
                .property("portcullis.keys.catalog.portcullis-fields.rotation", "P30D")
                .property("portcullis.keys.catalog.portcullis-fields.decryptable-versions", "2")
                .property("portcullis.keys.catalog.portcullis-audit-checkpoint.purpose", "audit-checkpoint-signing")
                .property("portcullis.keys.catalog.portcullis-audit-checkpoint.type", "ed25519")
                .property("portcullis.keys.catalog.portcullis-audit-checkpoint.rotation", "P90D")
                .property("portcullis.keys.catalog.portcullis-audit-checkpoint.decryptable-versions", "12");
    }

    /** Field encryption with its key store in {@code work/field-keys}. */
    static AuthzService.Builder withFields(AuthzService.Builder builder, Path work) {
        return builder
                .property("portcullis.fields.enabled", "true")
                .property("portcullis.fields.key-store", work.resolve("field-keys").toString());
    }
}
