package dev.portcullis.terraform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fresh OpenBao in dev mode (in memory, unsealed) on a free 127.0.0.1 port, from the stack's
 * {@code openbao.bin}, with a random root token; stopped by {@link #close()}.
 */
final class OpenBaoDevServer implements AutoCloseable {

    private static final int HEALTH_ATTEMPTS = 120;

    private final Process process;
    private final int port;
    private final String rootToken;
    private final Path log;

    private OpenBaoDevServer(Process process, int port, String rootToken, Path log) {
        this.process = process;
        this.port = port;
        this.rootToken = rootToken;
        this.log = log;
    }

    /** Starts the server with the extra server configuration file {@code config} (e.g. an audit device). */
    static OpenBaoDevServer start(Path bao, Path config, Path logFile) {
        int port = freePort();
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = "dev-" + HexFormat.of().formatHex(random);
        try {
            Process process = new ProcessBuilder(List.of(bao.toString(), "server", "-dev", "-dev-no-store-token",
                    "-dev-listen-address=127.0.0.1:" + port, "-dev-root-token-id=" + token, "-config=" + config))
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            OpenBaoDevServer server = new OpenBaoDevServer(process, port, token, logFile);
            server.awaitHealthy();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + bao, e);
        }
    }

    int port() {
        return port;
    }

    String address() {
        return "http://127.0.0.1:" + port;
    }

    String rootToken() {
        return rootToken;
    }

    Http client() {
        return Http.openBao(address(), rootToken);
    }

    private void awaitHealthy() {
        Http http = client();
        for (int i = 0; i < HEALTH_ATTEMPTS; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("OpenBao exited during start-up; log: " + log);
            }
            try {
                if (http.get("/v1/sys/health").status() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("OpenBao did not become healthy; log: " + log);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
