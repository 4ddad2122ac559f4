package dev.portcullis.scan;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.portcullis.testing.LocalStack;

/**
 * What the scan stage's integration tests run against: the real tools (OPA from the stack,
 * hcl2json and Checkov provisioned by bin/lib/scan-tools.sh, Maven through the repository's
 * wrapper), and NVD feed mirrors built from the fixture records by ci/nvd-mirror/build-mirror.py
 * and served over HTTP on 127.0.0.1 by the JDK's HTTP server.
 */
final class ScanFixtures implements AutoCloseable {

    final Path repo;
    final Path opa;
    final Path hcl2json;
    final Path checkov;
    final Path maven;
    private final List<HttpServer> servers = new ArrayList<>();

    private ScanFixtures(Path repo, Path opa, Path hcl2json, Path checkov) {
        this.repo = repo;
        this.opa = opa;
        this.hcl2json = hcl2json;
        this.checkov = checkov;
        this.maven = repo.resolve("mvnw");
    }

    /** Finds the stack and provisions the scan tools (a no-op once they are in the per-user cache). */
    static ScanFixtures start() throws IOException, InterruptedException {
        LocalStack stack = LocalStack.require();
        Path repo = stack.path("repo.dir");
        String script = "source bin/lib/common.sh; source bin/lib/versions.sh; source bin/lib/tools.sh;"
                + " source bin/lib/scan-tools.sh; ensure_hcl2json >&2; ensure_checkov >&2;"
                + " echo \"$HCL2JSON_BIN\"; echo \"$CHECKOV_BIN\"";
        Process p = new ProcessBuilder("bash", "-c", script).directory(repo.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("bin/lib/scan-tools.sh could not provide hcl2json and Checkov");
        }
        String[] lines = out.strip().split("\n");
        return new ScanFixtures(repo, stack.path("opa.bin"), Path.of(lines[lines.length - 2]), Path.of(lines[lines.length - 1]));
    }

    ScanTools tools() {
        return ScanTools.builder(System.getenv()).maven(maven).opa(opa).hcl2json(hcl2json).checkov(checkov).build();
    }

    static Path resource(String name) {
        try {
            return Path.of(ScanFixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a fixture folder into {@code target} (tests never write into their resources). */
    static Path copy(String fixture, Path target) throws IOException {
        Path source = resource(fixture);
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    /** Builds the mirror from the fixture records into {@code dir}. */
    Path buildMirror(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", repo.resolve("ci/nvd-mirror/build-mirror.py").toString(),
                "--records", resource("nvd-mirror/records").toString(),
                "--kev", resource("nvd-mirror/kev/known_exploited_vulnerabilities.json").toString(),
                "--out", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("build-mirror.py failed: " + out);
        }
        return dir;
    }

    /** Serves the files of {@code root} over HTTP on 127.0.0.1 (GET only); returns its base URL. */
    URI serve(Path root) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> serveFile(root, exchange));
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private static void serveFile(Path root, HttpExchange exchange) throws IOException {
        try (exchange) {
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!"GET".equals(exchange.getRequestMethod()) || !file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A 127.0.0.1 port with nothing listening on it (bound, then released). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        servers.forEach(s -> s.stop(0));
    }
}
