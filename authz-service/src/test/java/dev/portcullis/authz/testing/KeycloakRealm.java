package dev.portcullis.authz.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.RealmResource;

import com.nimbusds.jose.jwk.JWKSet;

import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stack's real Keycloak and its development realm {@code portcullis}: tokens for the demo users
 * and clients (password and client-credentials grants), the realm's published keys, and the admin
 * API (through the Keycloak admin client) for tests that change the realm.
 */
public final class KeycloakRealm implements AutoCloseable {

    public static final String CLI_CLIENT = "portcullis-cli";

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private Keycloak admin;

    public KeycloakRealm(LocalStack stack) {
        this.stack = stack;
    }

    public String issuer() {
        return stack.get("keycloak.issuer");
    }

    /** An access token for a demo user (password = user name) from the public CLI client. */
    public String accessToken(String user) {
        return passwordGrant(CLI_CLIENT, user, user).get("access_token").stringValue();
    }

    /**
     * A fresh access token of {@code user} in {@code dir}/{@code user}.token, mode 0600: the CLI takes
     * tokens from files, never as arguments.
     */
    public Path accessTokenFile(String user, Path dir) throws IOException {
        Path file = dir.resolve(user + ".token");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, accessToken(user));
        return file;
    }

    /** The whole token response of a password grant (access, ID and refresh tokens). */
    public JsonNode passwordGrant(String clientId, String user, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        form.put("username", user);
        form.put("password", password);
        form.put("scope", "openid");
        return post(issuer() + "/protocol/openid-connect/token", form);
    }

    /** An access token of a confidential client's service account. */
    public String clientCredentialsToken(String clientId, String secret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", clientId);
        form.put("client_secret", secret);
        return post(issuer() + "/protocol/openid-connect/token", form).get("access_token").stringValue();
    }

    /** A real access token from another realm of the same server ({@code master}): a wrong issuer. */
    public String masterRealmToken() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", "admin-cli");
        form.put("username", stack.get("keycloak.admin-user"));
        form.put("password", stack.get("keycloak.admin-password"));
        return post(stack.get("keycloak.url") + "/realms/master/protocol/openid-connect/token", form)
                .get("access_token").stringValue();
    }

    /** The realm's published signing keys (its JWKS). */
    public JWKSet publishedKeys() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(issuer() + "/protocol/openid-connect/certs")).GET().build(), HttpResponse.BodyHandlers.ofString());
            return JWKSet.parse(response.body());
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot read the realm's keys", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The realm through the admin API (as the bootstrap admin of this throw-away server). */
    public synchronized RealmResource admin() {
        if (admin == null) {
            admin = KeycloakBuilder.builder()
                    .serverUrl(stack.get("keycloak.url"))
                    .realm("master")
                    .clientId("admin-cli")
                    .username(stack.get("keycloak.admin-user"))
                    .password(stack.get("keycloak.admin-password"))
                    .build();
        }
        return admin.realm(stack.get("keycloak.realm"));
    }

    private JsonNode post(String url, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                // The body of an error names the problem (invalid_grant, ...); it holds no token.
                throw new IllegalStateException("token request to " + url + " answered HTTP " + response.statusCode()
                        + ": " + response.body());
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("token request to " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
        http.close();
    }
}
