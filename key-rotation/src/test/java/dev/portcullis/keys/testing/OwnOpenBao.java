package dev.portcullis.keys.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.keys.vault.internal.PemTrust;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;

/**
 * An OpenBao server of a test's own (the real {@code bao} binary of the stack), with Raft storage on disk
 * and TLS on a free 127.0.0.1 port, initialised and unsealed by the test: one that can be stopped,
 * restarted, sealed and unsealed, which the stack's in-memory dev server cannot.
 */
public final class OwnOpenBao implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final Path caPem;
    private final HttpClient http;
    private Process process;
    private String unsealKey;
    private String rootToken;

    private OwnOpenBao(Path bin, Path dir, int port, Path caPem) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.caPem = caPem;
        this.http = HttpClient.newBuilder().sslContext(PemTrust.sslContextTrusting(caPem))
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * Starts a new server in {@code dir}, with a TLS certificate for 127.0.0.1 issued by the stack's
     * PKI, and initialises and unseals it.
     */
    public static OwnOpenBao start(StackVault stack, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        JsonObject issued = stack.root().write("pki/issue/portcullis-service",
                Map.of("common_name", "localhost", "ip_sans", "127.0.0.1", "ttl", "2h"));
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server-key.pem");
        Path ca = dir.resolve("ca.pem");
        Files.writeString(cert, issued.getString("certificate", null) + "\n" + issued.getString("issuing_ca", null) + "\n");
        Files.writeString(key, issued.getString("private_key", null) + "\n");
        Files.writeString(ca, issued.getString("issuing_ca", null) + "\n");
        int port = freePort();
        int clusterPort = freePort();
        // OpenBao 2.x has no "file" storage any more: a single-node Raft store on disk is the
        // durable storage that survives a restart.
        Files.writeString(dir.resolve("config.hcl"), """
                storage "raft" {
                  path    = "%s"
                  node_id = "portcullis-test"
                }
                listener "tcp" {
                  address         = "127.0.0.1:%d"
                  cluster_address = "127.0.0.1:%d"
                  tls_cert_file   = "%s"
                  tls_key_file    = "%s"
                }
                api_addr     = "https://127.0.0.1:%d"
                cluster_addr = "https://127.0.0.1:%d"
                """.formatted(dir.resolve("data"), port, clusterPort, cert, key, port, clusterPort));
        OwnOpenBao bao = new OwnOpenBao(stack.stack().path("openbao.bin"), dir, port, ca);
        bao.launch();
        JsonObject init = bao.call("PUT", "/v1/sys/init", "{\"secret_shares\":1,\"secret_threshold\":1}", null, 200);
        bao.unsealKey = init.get("keys").asArray().get(0).asString();
        bao.rootToken = init.getString("root_token", null);
        bao.unseal();
        VaultClient root = bao.client(VaultAuthentication.token(bao.rootToken));
        root.write("sys/mounts/transit", Map.of("type", "transit"));
        root.write("sys/mounts/portcullis-kv", Map.of("type", "kv", "options", new JsonObject().add("version", "2")));
        return bao;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void launch() throws Exception {
        Path log = dir.resolve("bao.log");
        process = new ProcessBuilder(bin.toString(), "server", "-config=" + dir.resolve("config.hcl"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(address().resolve("/v1/sys/seal-status")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("bao server exited: see " + log);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("bao server did not answer within 30 s: see " + log);
            }
            Thread.sleep(100);
        }
    }

    private JsonObject call(String method, String path, String body, String token, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(address().resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("X-Vault-Token", token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isBlank() ? new JsonObject() : Json.parse(r.body()).asObject();
    }

    public URI address() {
        return URI.create("https://127.0.0.1:" + port);
    }

    public Path caPem() {
        return caPem;
    }

    public String rootToken() {
        return rootToken;
    }

    /** A client of this server that trusts its CA. */
    public VaultClient client(VaultAuthentication authentication) {
        return VaultClient.builder(address()).authentication(authentication).trustedCertificates(caPem).build();
    }

    /** A client with few, short retries, so that tests of an unreachable server stay quick. */
    public VaultClient clientWithShortRetries(VaultAuthentication authentication) {
        return VaultClient.builder(address()).authentication(authentication).trustedCertificates(caPem)
                .retryPolicy(dev.portcullis.keys.vault.RetryPolicy.of(3, Duration.ofMillis(20), Duration.ofMillis(100)))
                .build();
    }

    /**
     * Unseals the server and waits until it is the active node. Unsealed is not yet serving: a Raft
     * node elects itself leader a moment later, and until then it answers as a standby (HTTP 307 to
     * the active node), which a test's first write would take for an error.
     */
    public void unseal() throws Exception {
        JsonObject status = call("PUT", "/v1/sys/unseal", "{\"key\":\"" + unsealKey + "\"}", null, 200);
        if (status.getBoolean("sealed", true)) {
            throw new IllegalStateException("still sealed after the unseal key");
        }
        awaitActive();
    }

    /** Polls {@code sys/health}, which answers 200 only on an initialised, unsealed, active node. */
    private void awaitActive() throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        int last;
        do {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(address().resolve("/v1/sys/health")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            last = r.statusCode();
            if (last == 200) {
                return;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        throw new IllegalStateException("bao server not active within 30 s after unsealing (sys/health " + last
                + "): see " + dir.resolve("bao.log"));
    }

    public void seal() throws Exception {
        call("PUT", "/v1/sys/seal", null, rootToken, 204);
    }

    /** Stops the server process (SIGTERM, then SIGKILL after 20 s). */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts the stopped server again (its data kept) and unseals it. */
    public void restart() throws Exception {
        stop();
        launch();
        unseal();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public String rawRead(String path) throws Exception {
        return call("GET", path, null, rootToken, 200).toString();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
