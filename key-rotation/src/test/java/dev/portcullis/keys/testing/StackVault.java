package dev.portcullis.keys.testing;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import dev.portcullis.keys.vault.RetryPolicy;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.testing.LocalStack;

/** The local stack's OpenBao, for integration tests: a root client and throw-away keys of their own. */
public final class StackVault {

    private final LocalStack stack;
    private final VaultClient root;

    private StackVault(LocalStack stack) {
        this.stack = stack;
        this.root = client(VaultAuthentication.token(stack.get("openbao.root-token")));
    }

    /** The stack's OpenBao; skips or fails the test as {@link LocalStack#require()} says when there is none. */
    public static StackVault require() {
        return new StackVault(LocalStack.require());
    }

    public LocalStack stack() {
        return stack;
    }

    public URI address() {
        return stack.uri("openbao.addr");
    }

    public String rootToken() {
        return stack.get("openbao.root-token");
    }

    /** A client with the stack's root token (test set-up only). */
    public VaultClient root() {
        return root;
    }

    /** A client of the stack's OpenBao with {@code authentication} and the default retries. */
    public VaultClient client(VaultAuthentication authentication) {
        return VaultClient.builder(address()).authentication(authentication)
                .allowPlaintextHttpForDevelopment().retryPolicy(RetryPolicy.DEFAULT).build();
    }

    /** A new derived AES-256-GCM Transit key with a unique name, as Portcullis KEKs are made. */
    public String newKek(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new HashMap<>();
        body.put("type", "aes256-gcm96");
        body.put("derived", true);
        body.put("exportable", false);
        root.write("transit/keys/" + name, body);
        return name;
    }

    /** A new Transit key of {@code type} (e.g. ed25519) with a unique name. */
    public String newKey(String prefix, String type, boolean derived) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("derived", derived);
        root.write("transit/keys/" + name, body);
        return name;
    }

    /** Rotates {@code name} with the root token. */
    public void rotate(String name) {
        root.write("transit/keys/" + name + "/rotate", Map.of());
    }

    /** A child token of root with {@code policies} and a TTL, e.g. "10m". */
    public String token(String ttl, String... policies) {
        Map<String, Object> body = new HashMap<>();
        body.put("ttl", ttl);
        body.put("policies", String.join(",", policies));
        body.put("no_parent", true);
        return rootAuth("auth/token/create", body);
    }

    private String rootAuth(String path, Map<String, Object> body) {
        // auth/token/create answers with an "auth" member, not "data"; the raw HTTP call is simplest here.
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            var json = new StringBuilder("{");
            body.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":")
                    .append(v instanceof String s ? "\"" + s + "\"" : String.valueOf(v)));
            json.append('}');
            var response = http.send(java.net.http.HttpRequest.newBuilder(address().resolve("/v1/" + path))
                    .header("X-Vault-Token", rootToken())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json.toString())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return io.github.jopenlibs.vault.json.Json.parse(response.body()).asObject().get("auth").asObject()
                    .getString("client_token", null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes a policy named {@code name} with the given HCL (test set-up only). */
    public void policy(String name, String hcl) {
        root.write("sys/policies/acl/" + name, Map.of("policy", hcl));
    }

    /** Revokes {@code token} (test set-up: a token that is no longer valid). */
    public void revoke(String token) {
        root.write("auth/token/revoke", Map.of("token", token));
    }
}
