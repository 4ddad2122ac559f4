package dev.portcullis.authz.identity.jwt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

import dev.portcullis.authz.outbound.BoundedBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an issuer's OpenID Connect discovery document
 * (<a href="https://openid.net/specs/openid-connect-discovery-1_0.html">OIDC Discovery 1.0</a>)
 * and checks, as §4.3 requires, that the {@code issuer} it declares is exactly the one it was
 * fetched for, so that a document served from the wrong place cannot redirect trust.
 */
public final class OidcDiscovery {

    private static final String WELL_KNOWN = "/.well-known/openid-configuration";
    private static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    /** What discovery tells about an issuer. */
    public record DiscoveredIssuer(String issuer, URI jwksUri, URI introspectionEndpoint) {
    }

    private final HttpClient http;
    private final JsonMapper json;
    private final Duration timeout;

    public OidcDiscovery(HttpClient http, JsonMapper json, Duration timeout) {
        this.http = Objects.requireNonNull(http, "http cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
    }

    /**
     * Fetches and checks the discovery document at {@code discoveryUrl}.
     *
     * @throws IOException when it cannot be fetched, or does not describe the issuer it was fetched for
     */
    public DiscoveredIssuer discover(URI discoveryUrl) throws IOException {
        String url = discoveryUrl.toString();
        if (!url.endsWith(WELL_KNOWN)) {
            throw new IOException("discovery URL " + url + " must end with " + WELL_KNOWN);
        }
        String expectedIssuer = url.substring(0, url.length() - WELL_KNOWN.length());
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(discoveryUrl).timeout(timeout)
                    .header("Accept", "application/json").GET().build(), BoundedBody.upTo(MAX_DOCUMENT_BYTES));
        } catch (IOException e) {
            if (BoundedBody.tooLarge(e)) {
                throw new IOException("discovery document " + url + " is larger than " + MAX_DOCUMENT_BYTES + " bytes", e);
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("discovery document " + url + " answered HTTP " + response.statusCode());
        }
        JsonNode document;
        try {
            document = json.readTree(response.body());
        } catch (RuntimeException e) {
            throw new IOException("discovery document " + url + " is not valid JSON", e);
        }
        String issuer = text(document, "issuer");
        if (!expectedIssuer.equals(issuer)) {
            throw new IOException("discovery document " + url + " declares issuer '" + issuer
                    + "', not '" + expectedIssuer + "'");
        }
        String jwks = text(document, "jwks_uri");
        if (jwks == null) {
            throw new IOException("discovery document " + url + " has no jwks_uri");
        }
        String introspection = text(document, "introspection_endpoint");
        return new DiscoveredIssuer(issuer, URI.create(jwks), introspection == null ? null : URI.create(introspection));
    }

    private static String text(JsonNode document, String name) {
        JsonNode value = document.get(name);
        return value != null && value.isString() ? value.stringValue() : null;
    }
}
