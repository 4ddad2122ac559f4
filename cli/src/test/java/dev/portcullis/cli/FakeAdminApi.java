package dev.portcullis.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine;

/**
 * A real HTTP server on 127.0.0.1 answering in the shapes of the service's admin API, for unit
 * tests of the commands that drive it (the end-to-end tests run them against the real service).
 * It records every request as {@code METHOD path[?query][ body]}, answers 401 to any token but
 * its own, and hands the rest to the test's handler.
 */
public final class FakeAdminApi implements AutoCloseable {

    /** Answers one authenticated request; {@code body} is what the client sent. */
    public interface Handler {
        void handle(HttpExchange exchange, byte[] body) throws IOException;
    }

    /** What one in-process run of the CLI returned and printed. */
    public record Run(int exit, String out, String err) {
    }

    private static final String TOKEN = "test-admin-token-1234";

    private final HttpServer server;
    private final Path tokenFile;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** Serves {@code context} (e.g. {@code /v1/admin/keys}) with {@code handler}; the token file goes into {@code dir}. */
    public FakeAdminApi(Path dir, String context, Handler handler) throws IOException {
        tokenFile = dir.resolve("admin-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(context, exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String query = exchange.getRequestURI().getRawQuery();
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + (query == null ? "" : "?" + query)
                    + (body.length == 0 ? "" : " " + new String(body, StandardCharsets.UTF_8)));
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, "{\"error\":\"unauthenticated\",\"message\":\"admin credentials required\"}");
                return;
            }
            handler.handle(exchange, body);
        });
        server.start();
    }

    /** The base URL to give the CLI's {@code --url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A file holding the one token this server accepts. */
    public Path tokenFile() {
        return tokenFile;
    }

    /** Every request so far, in order. */
    public List<String> requests() {
        return requests;
    }

    /** Runs the CLI with {@code args} plus {@code --url} and {@code --token-file} pointing here. */
    public Run run(String... args) {
        return runWithToken(tokenFile, args);
    }

    /** Like {@link #run}, with another token file. */
    public Run runWithToken(Path token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--url=" + url());
        all.add("--token-file=" + token);
        return runCli(all.toArray(String[]::new));
    }

    /** Runs the CLI in-process with exactly {@code args}, capturing its exit code and output. */
    public static Run runCli(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Answers {@code status} with the JSON {@code body}. */
    public static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
