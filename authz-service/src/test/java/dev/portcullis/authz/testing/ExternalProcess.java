package dev.portcullis.authz.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server a test starts itself (its own OPA, nginx) from a binary named in the stack file,
 * on 127.0.0.1, with its output in a log file; stopped (and never left behind) by {@link #close()}.
 * Can be frozen and thawed with SIGSTOP/SIGCONT to play a server that does not answer.
 */
public final class ExternalProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Path log;
    private Process process;

    private ExternalProcess(String name, List<String> command, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
    }

    /** Starts {@code command}, and waits until {@code healthUrl} answers 200. */
    public static ExternalProcess start(String name, List<String> command, Path log, URI healthUrl) {
        ExternalProcess server = new ExternalProcess(name, command, log);
        server.launch(healthUrl);
        return server;
    }

    private void launch(URI healthUrl) {
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        awaitHealthy(healthUrl, Duration.ofSeconds(60));
    }

    /** Starts the same command again (after {@link #stop()}), and waits until it is healthy. */
    public void restart(URI healthUrl) {
        launch(healthUrl);
    }

    private void awaitHealthy(URI url, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited during start-up (code " + process.exitValue() + "); log: " + log);
                }
                try {
                    HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(1)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // Not listening yet.
                }
                if (Instant.now().isAfter(deadline)) {
                    close();
                    throw new IllegalStateException(name + " did not become healthy within " + limit + "; log: " + log);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Freezes the process (SIGSTOP): its sockets stay open but nothing is answered. */
    public void freeze() {
        signal("STOP");
    }

    /** Thaws a frozen process (SIGCONT). */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL) and waits until it is gone. */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            // A frozen process ignores SIGTERM until thawed.
            signal("CONT");
        }
        stop();
    }
}
