package dev.portcullis.authz.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** {@link BoundedBody} against a real HTTP server on 127.0.0.1. */
class BoundedBodyTest {

    private static final int LIMIT = 64 * 1024;
    /** What the endless endpoint would send if nobody stopped reading: far more than the limit. */
    private static final long ENDLESS = 256L * 1024 * 1024;

    private HttpServer server;
    private HttpClient http;
    private final AtomicLong endlessWritten = new AtomicLong();
    private final CompletableFuture<Void> endlessEnded = new CompletableFuture<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/small", exchange -> respond(exchange, 200, filled(1000)));
        server.createContext("/exactly", exchange -> respond(exchange, 200, filled(LIMIT)));
        server.createContext("/one-over", exchange -> respond(exchange, 200, filled(LIMIT + 1)));
        server.createContext("/empty", exchange -> respond(exchange, 204, new byte[0]));
        server.createContext("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: no length announced
            byte[] chunk = filled(16 * 1024);
            try (OutputStream out = exchange.getResponseBody()) {
                while (endlessWritten.get() < ENDLESS) {
                    out.write(chunk);
                    endlessWritten.addAndGet(chunk.length);
                }
            } catch (IOException clientWentAway) {
                // expected: the client stops reading at the limit and closes the connection
            } finally {
                endlessEnded.complete(null);
            }
        });
        server.createContext("/declared-large", exchange -> {
            exchange.sendResponseHeaders(200, ENDLESS); // announces 256 MiB
            OutputStream out = exchange.getResponseBody();
            out.write(filled(1024));
            out.flush(); // the headers leave with the first bytes; the rest never comes
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        http.close();
        server.stop(0);
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(), BoundedBody.upTo(LIMIT));
    }

    @Test
    void aBodyWithinTheLimitIsReturnedWhole() throws Exception {
        assertThat(get("/small").body()).hasSize(1000).containsOnly((byte) 'x');
        assertThat(get("/exactly").body()).hasSize(LIMIT);
        assertThat(get("/empty").body()).isEmpty();
    }

    @Test
    void aBodyOneByteOverTheLimitFails() {
        assertThatThrownBy(() -> get("/one-over"))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(BoundedBody.tooLarge(e)).isTrue())
                .hasMessageContaining("larger than " + LIMIT + " bytes");
    }

    @Test
    void anEndlessBodyIsAbandonedAtTheLimitNotReadToTheEnd() throws Exception {
        assertThatThrownBy(() -> get("/endless"))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(BoundedBody.tooLarge(e)).isTrue());

        // The server notices the closed connection long before it could send everything.
        endlessEnded.get(30, TimeUnit.SECONDS);
        assertThat(endlessWritten.get()).isLessThan(ENDLESS / 4);
    }

    @Test
    void aDeclaredLengthOverTheLimitFailsWithoutReadingTheBody() {
        assertThatThrownBy(() -> get("/declared-large"))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(BoundedBody.tooLarge(e)).isTrue());
    }

    @Test
    void otherFailuresAreNotTakenForTooLarge() {
        assertThat(BoundedBody.tooLarge(new IOException("connection reset"))).isFalse();
        assertThat(BoundedBody.tooLarge(new IOException("wrapped", new BoundedBody.TooLargeException(1)))).isTrue();
    }
}
