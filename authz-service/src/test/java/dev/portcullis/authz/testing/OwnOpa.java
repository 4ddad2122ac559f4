package dev.portcullis.authz.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import dev.portcullis.testing.LocalStack;

/**
 * An OPA of a test's own (the stack's binary), serving the project's {@code policies/} as the
 * stack's OPA does ({@code start_opa} in bin/lib/stack.sh), for tests that stop, freeze or
 * reprogram it without disturbing the shared one.
 */
public final class OwnOpa implements AutoCloseable {

    private final ExternalProcess process;
    private final URI url;

    private OwnOpa(ExternalProcess process, URI url) {
        this.process = process;
        this.url = url;
    }

    /** Starts it on a free port of 127.0.0.1, logging to {@code work}/opa.log, and waits for its health. */
    public static OwnOpa start(LocalStack stack, Path work) {
        int port = AuthzService.freePort();
        URI url = URI.create("http://127.0.0.1:" + port);
        ExternalProcess process = ExternalProcess.start("opa", List.of(stack.get("opa.bin"), "run", "--server",
                        "--addr=127.0.0.1:" + port, "--diagnostic-addr=", "--log-level=error",
                        "--ignore=*_test.rego", "--ignore=testdata", "--set=decision_logs.console=false",
                        stack.path("repo.dir").resolve("policies").toString()),
                work.resolve("opa.log"), health(url));
        return new OwnOpa(process, url);
    }

    private static URI health(URI url) {
        return url.resolve("/health");
    }

    /** Where its REST API listens ({@code http://127.0.0.1:PORT}). */
    public URI url() {
        return url;
    }

    /** Stops it (SIGTERM, then SIGKILL): it refuses connections until {@link #restart}. */
    public void stop() {
        process.stop();
    }

    /** Starts it again on the same port, after {@link #stop}, and waits for its health. */
    public void restart() {
        process.restart(health(url));
    }

    /** Suspends it (SIGSTOP): connections are accepted, nothing is answered until {@link #thaw}. */
    public void freeze() {
        process.freeze();
    }

    /** Resumes it after {@link #freeze}. */
    public void thaw() {
        process.thaw();
    }

    /**
     * Writes to its REST API ({@code PUT} a data document or a policy, {@code DELETE} one) and
     * fails unless it answered 2xx; deleting what is not there (404) is not a failure.
     */
    public void send(HttpClient http, String method, String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve(path)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2 && !(method.equals("DELETE") && response.statusCode() == 404)) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
