package dev.portcullis.authz.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the service reaches Vault (or OpenBao): {@code portcullis.vault.*}. The service holds two
 * credentials, each with its own least-privilege policy (terraform/modules/vault/policies): the
 * {@code service} AppRole (wrap/unwrap/re-wrap/datakey on the field KEK, sign/verify with the
 * checkpoint key, issue its own TLS certificate) and the {@code rotation} AppRole (rotate the keys,
 * raise their minimum version, the rotation lease locks). Never the root token.
 *
 * <p>Credentials are read from files (mode 0600, e.g. mounted by the deployment), never from this
 * configuration itself: {@code role-id-file} + {@code secret-id-file} for AppRole, or
 * {@code token-file} for development (a token handed over by an agent).
 *
 * @param address the Vault address; unset means the service uses no Vault (and every feature that
 *     needs one must stay off)
 * @param caCertificate PEM bundle that Vault's TLS certificate must chain to (pinned, instead of the
 *     JVM's trust store)
 * @param allowPlaintextHttpForDevelopment accept an {@code http://} address; only for the local
 *     development stack, whose OpenBao listens on plain HTTP on 127.0.0.1
 * @param requestTimeout per-request time limit
 */
@ConfigurationProperties("portcullis.vault")
public record VaultProperties(
        URI address,
        Path caCertificate,
        @DefaultValue("false") boolean allowPlaintextHttpForDevelopment,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue Credential service,
        @DefaultValue Credential rotation) {

    /**
     * One Vault credential: an AppRole login (role id and secret id from files) or a token from a
     * file. {@code approle-mount} is the AppRole auth mount (default {@code approle}).
     */
    public record Credential(
            Path roleIdFile,
            Path secretIdFile,
            Path tokenFile,
            @DefaultValue("approle") String approleMount) {

        /** Whether anything is configured for this credential. */
        public boolean configured() {
            return roleIdFile != null || secretIdFile != null || tokenFile != null;
        }
    }
}
