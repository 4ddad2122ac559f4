package dev.portcullis.cli.fields;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.portcullis.audit.Actor;
import dev.portcullis.cli.CouldNotRunException;
import dev.portcullis.cli.JsonLinesAuditSink;
import dev.portcullis.fields.Caller;
import dev.portcullis.fields.DocumentCipher;
import dev.portcullis.fields.FieldCipher;
import dev.portcullis.fields.FieldCryptoService;
import dev.portcullis.fields.keys.FileDataKeyRepository;
import dev.portcullis.fields.keys.Keyring;
import dev.portcullis.fields.policy.OpaHttpFieldAccessPolicy;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.vault.RetryPolicy;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;
import picocli.CommandLine.Option;

/**
 * Where the fields commands find their keys, KMS, policy and audit file, and who the operator is.
 * Defaults come from the environment so that secrets never appear in a command line (visible to
 * every user of the machine in the process list).
 */
public final class FieldsOptions {

    @Option(names = "--key-store", paramLabel = "DIR", defaultValue = "${env:PORTCULLIS_FIELDS_KEY_STORE}",
            description = "The key store directory (wrapped data keys; created if absent). Default: $PORTCULLIS_FIELDS_KEY_STORE.")
    Path keyStore;

    @Option(names = "--vault-addr", paramLabel = "URL",
            description = "Vault/OpenBao address. Default: $VAULT_ADDR, $BAO_ADDR, then http://127.0.0.1:8200."
                    + " Plain http is accepted for loopback addresses only.")
    URI vaultAddress;

    @Option(names = "--vault-ca", paramLabel = "PEM", description = "CA certificates to trust for an https Vault.")
    Path vaultCa;

    @Option(names = "--vault-token-file", paramLabel = "FILE",
            description = "Read the Vault token from FILE (e.g. a Vault Agent token sink) instead of $VAULT_TOKEN/$BAO_TOKEN.")
    Path vaultTokenFile;

    @Option(names = "--kek", paramLabel = "NAME", defaultValue = "portcullis-fields",
            description = "The Transit key that wraps data keys (default: ${DEFAULT-VALUE}).")
    String kek;

    @Option(names = "--opa-url", paramLabel = "URL", defaultValue = "${env:PORTCULLIS_OPA_URL:-http://127.0.0.1:8181}",
            description = "OPA serving policies/fields (default: $PORTCULLIS_OPA_URL or http://127.0.0.1:8181).")
    URI opaUrl;

    @Option(names = "--opa-timeout", paramLabel = "DURATION", defaultValue = "PT2S",
            description = "How long to wait for OPA's decision, ISO-8601 (default: ${DEFAULT-VALUE}); no answer in"
                    + " time means fail closed.")
    java.time.Duration opaTimeout;

    @Option(names = "--audit-file", paramLabel = "FILE",
            description = "Where audit events are appended as JSON lines, for 'portcullis audit import'."
                    + " Default: <key-store>/audit-events.jsonl.")
    Path auditFile;

    @Option(names = "--as", paramLabel = "SUBJECT", defaultValue = "${env:USER:-operator}",
            description = "The operator's name in audit events and policy input (default: $USER).")
    String operator;

    @Option(names = "--role", paramLabel = "ROLE", split = ",",
            description = "Roles the policy input carries for the operator (repeatable). The operator holds a Vault"
                    + " token that can unwrap data keys, so the policy here guards against mistakes, not against the operator.")
    List<String> roles = new ArrayList<>();

    /**
     * The operator, as a member of the tenant the command works on: the operator's Vault token unwraps
     * every tenant's data keys in this key store, so a membership check could stop no one here.
     */
    Caller caller(String tenant) {
        return new Caller(new Actor(operator, "portcullis-cli", null, null, null, null, null), Set.copyOf(roles),
                Set.of(tenant));
    }

    FieldCryptoService service() {
        Path store = requireKeyStore();
        Keyring keyring = Keyring.builder(new FileDataKeyRepository(store), new VaultTransitKeyWrapper(vault()), kek)
                .build();
        Path audit = auditFile != null ? auditFile : store.resolve("audit-events.jsonl");
        return new FieldCryptoService(new DocumentCipher(new FieldCipher(keyring), keyring), keyring,
                new OpaHttpFieldAccessPolicy(opaUrl, opaTimeout), new JsonLinesAuditSink(audit), Clock.systemUTC());
    }

    private Path requireKeyStore() {
        if (keyStore == null || keyStore.toString().isBlank()) {
            throw new CouldNotRunException("no key store: pass --key-store DIR or set PORTCULLIS_FIELDS_KEY_STORE");
        }
        return keyStore;
    }

    private VaultClient vault() {
        URI address = vaultAddress;
        if (address == null) {
            String fromEnv = env("VAULT_ADDR", "BAO_ADDR");
            address = URI.create(fromEnv != null && !fromEnv.isBlank() ? fromEnv : "http://127.0.0.1:8200");
        }
        String token;
        if (vaultTokenFile != null) {
            try {
                token = Files.readString(vaultTokenFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new CouldNotRunException("cannot read --vault-token-file " + vaultTokenFile);
            }
        } else {
            token = env("VAULT_TOKEN", "BAO_TOKEN");
        }
        if (token == null || token.isBlank()) {
            throw new CouldNotRunException("no Vault token: set VAULT_TOKEN (or BAO_TOKEN), or pass --vault-token-file,"
                    + " with a token holding the portcullis-service policy");
        }
        VaultClient.Builder builder = VaultClient.builder(address)
                .authentication(VaultAuthentication.token(SecretBytes.copyOf(token.getBytes(StandardCharsets.UTF_8))))
                .retryPolicy(RetryPolicy.DEFAULT);
        if ("http".equals(address.getScheme())) {
            String host = address.getHost();
            if (!"127.0.0.1".equals(host) && !"localhost".equals(host) && !"[::1]".equals(host)) {
                throw new CouldNotRunException("refusing plain http to Vault at " + address
                        + ": the data keys would cross the network in clear; use https");
            }
            builder.allowPlaintextHttpForDevelopment();
        }
        if (vaultCa != null) {
            if (!Files.isReadable(vaultCa)) {
                throw new CouldNotRunException("cannot read --vault-ca " + vaultCa);
            }
            builder.trustedCertificates(vaultCa);
        }
        return builder.build();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value != null && !value.isBlank() ? value : System.getenv(fallback);
    }

    /** Reads a document from FILE or standard input ('-'). */
    static byte[] read(Path input) {
        try {
            return "-".equals(input.toString()) ? System.in.readAllBytes() : Files.readAllBytes(input);
        } catch (IOException e) {
            throw new CouldNotRunException("cannot read " + input + ": " + e.getMessage(), e);
        }
    }
}
