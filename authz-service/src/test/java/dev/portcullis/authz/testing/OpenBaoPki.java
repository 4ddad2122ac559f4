package dev.portcullis.authz.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stack's real OpenBao PKI engines over the Vault HTTP API, as the root token of the throw-away
 * dev server: issue certificates from a role, revoke them, read a CA, and set up the extra mounts
 * and roles a test needs (and remove them afterwards).
 */
public final class OpenBaoPki implements AutoCloseable {

    private final String address;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    public OpenBaoPki(LocalStack stack) {
        this.address = stack.get("openbao.addr");
        this.token = stack.get("openbao.root-token");
    }

    /** A certificate OpenBao issued, with its private key (PKCS#8) and the issuing CA. */
    public record Issued(X509Certificate certificate, PrivateKey privateKey, String serial, String certificatePem,
            String privateKeyPem, String issuingCaPem) {
    }

    /** The CRL endpoint of a mount, e.g. {@code http://127.0.0.1:40200/v1/pki/crl}. */
    public URI crlUri(String mount) {
        return URI.create(address + "/v1/" + mount + "/crl");
    }

    /** Issues a certificate from {@code mount/issue/role}; {@code extra} adds request fields (uri_sans, ip_sans, ttl...). */
    public Issued issue(String mount, String role, String commonName, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(extra);
        body.put("common_name", commonName);
        body.put("private_key_format", "pkcs8");
        JsonNode data = write(mount + "/issue/" + role, body).get("data");
        try {
            X509Certificate certificate = certificates(data.get("certificate").stringValue()).get(0);
            String keyPem = data.get("private_key").stringValue();
            byte[] der = Base64.getMimeDecoder().decode(keyPem.replace("-----BEGIN PRIVATE KEY-----", "")
                    .replace("-----END PRIVATE KEY-----", ""));
            PrivateKey key = KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            return new Issued(certificate, key, data.get("serial_number").stringValue(),
                    data.get("certificate").stringValue(), keyPem, data.get("issuing_ca").stringValue());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("OpenBao issued something that does not parse", e);
        }
    }

    public void revoke(String mount, String serial) {
        write(mount + "/revoke", Map.of("serial_number", serial));
    }

    /** The mount's CA certificate, as PEM. */
    public String caPem(String mount) {
        return send(HttpRequest.newBuilder(URI.create(address + "/v1/" + mount + "/ca/pem")).GET(), true);
    }

    /** Enables a PKI engine at {@code mount} with a self-signed root of its own. */
    public void enableRootPki(String mount, String commonName) {
        write("sys/mounts/" + mount, Map.of("type", "pki", "config", Map.of("max_lease_ttl", "87600h")));
        write(mount + "/root/generate/internal", Map.of("common_name", commonName, "ttl", "8760h"));
    }

    public void disableMount(String mount) {
        send(HttpRequest.newBuilder(URI.create(address + "/v1/sys/mounts/" + mount)).DELETE(), false);
    }

    public void delete(String path) {
        send(HttpRequest.newBuilder(URI.create(address + "/v1/" + path)).DELETE(), false);
    }

    /** POST to {@code /v1/path}; the answer, or an empty object. */
    public JsonNode write(String path, Map<String, Object> body) {
        String answer = send(HttpRequest.newBuilder(URI.create(address + "/v1/" + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))), false);
        return answer.isBlank() ? json.createObjectNode() : json.readTree(answer);
    }

    public static List<X509Certificate> certificates(String pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not PEM certificates", e);
        }
    }

    private String send(HttpRequest.Builder request, boolean anonymous) {
        if (!anonymous) {
            request.header("X-Vault-Token", token);
        }
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                // OpenBao's error bodies name the problem and never echo the token.
                throw new IllegalStateException("OpenBao answered HTTP " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("OpenBao request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
