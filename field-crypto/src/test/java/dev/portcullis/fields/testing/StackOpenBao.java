package dev.portcullis.fields.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import dev.portcullis.keys.vault.RetryPolicy;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local stack's real OpenBao for field-crypto's integration tests: set-up calls with the root
 * token (create a KEK, rotate it, raise its min_decryption_version, mint least-privilege tokens),
 * and {@link VaultTransitKeyWrapper}s that run with those tokens, never with root.
 */
public final class StackOpenBao {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    public StackOpenBao(LocalStack stack) {
        this.stack = stack;
    }

    public URI address() {
        return stack.uri("openbao.addr");
    }

    /** A wrapper authenticated with a fresh token holding only {@code policies}. */
    public VaultTransitKeyWrapper wrapper(String... policies) {
        return new VaultTransitKeyWrapper(client(token("30m", policies)));
    }

    public VaultClient client(String token) {
        return VaultClient.builder(address()).authentication(VaultAuthentication.token(token))
                .allowPlaintextHttpForDevelopment().retryPolicy(RetryPolicy.DEFAULT).build();
    }

    /**
     * A new derived AES-256-GCM KEK (as configure-openbao.sh makes portcullis-fields) and a policy of
     * the same name granting what the service and the rotation job may do with it.
     */
    public String newKekWithPolicy(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        root("POST", "transit/keys/" + name, "{\"type\":\"aes256-gcm96\",\"derived\":true,\"exportable\":false}");
        String hcl = String.join("\n",
                "path \"transit/encrypt/" + name + "\" { capabilities = [\"update\"] }",
                "path \"transit/decrypt/" + name + "\" { capabilities = [\"update\"] }",
                "path \"transit/rewrap/" + name + "\" { capabilities = [\"update\"] }",
                "path \"transit/keys/" + name + "\" { capabilities = [\"read\"] }",
                "path \"auth/token/lookup-self\" { capabilities = [\"read\"] }",
                "path \"auth/token/renew-self\" { capabilities = [\"update\"] }");
        root("PUT", "sys/policies/acl/" + name, JSON.writeValueAsString(JSON.createObjectNode().put("policy", hcl)));
        return name;
    }

    public void rotate(String kek) {
        root("POST", "transit/keys/" + kek + "/rotate", "{}");
    }

    public int latestVersion(String kek) {
        return root("GET", "transit/keys/" + kek, null).get("data").get("latest_version").asInt();
    }

    public void minDecryptionVersion(String kek, int version) {
        root("POST", "transit/keys/" + kek + "/config", "{\"min_decryption_version\":" + version + "}");
    }

    /** A child token of root, not renewable beyond {@code ttl}, with exactly {@code policies}. */
    public String token(String ttl, String... policies) {
        StringBuilder list = new StringBuilder();
        for (String p : policies) {
            list.append(list.length() == 0 ? "" : ",").append('"').append(p).append('"');
        }
        JsonNode auth = root("POST", "auth/token/create",
                "{\"ttl\":\"" + ttl + "\",\"no_parent\":true,\"no_default_policy\":true,\"policies\":[" + list + "]}")
                .get("auth");
        return auth.get("client_token").asString();
    }

    private JsonNode root(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(address().resolve("/v1/" + path))
                .header("X-Vault-Token", stack.get("openbao.root-token"));
        request = body == null ? request.GET() : request.method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode());
            }
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
