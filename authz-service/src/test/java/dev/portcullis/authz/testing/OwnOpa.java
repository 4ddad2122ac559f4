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
public final class OwnOpa {

    private OwnOpa() {
    }

    /** Starts it on 127.0.0.1:{@code port}, logging to {@code log}, and waits for its health. */
    public static ExternalProcess start(LocalStack stack, int port, Path log) {
        return ExternalProcess.start("opa", List.of(stack.get("opa.bin"), "run", "--server",
                        "--addr=127.0.0.1:" + port, "--diagnostic-addr=", "--log-level=error",
                        "--ignore=*_test.rego", "--ignore=testdata", "--set=decision_logs.console=false",
                        stack.path("repo.dir").resolve("policies").toString()),
                log, health(port));
    }

    /** Its health endpoint, for waiting on a restart. */
    public static URI health(int port) {
        return URI.create("http://127.0.0.1:" + port + "/health");
    }

    /**
     * Writes to an OPA's REST API ({@code PUT} a data document or a policy, {@code DELETE} one)
     * and fails unless it answered 2xx; deleting what is not there (404) is not a failure.
     */
    public static void send(HttpClient http, URI opa, String method, String path, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(opa.resolve(path)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2 && !(method.equals("DELETE") && response.statusCode() == 404)) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }
}
