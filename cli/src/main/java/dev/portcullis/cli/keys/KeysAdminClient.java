package dev.portcullis.cli.keys;

import java.io.UncheckedIOException;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.portcullis.cli.AdminApiClient;
import dev.portcullis.cli.CouldNotRunException;
import tools.jackson.databind.JsonNode;

/** The key admin API ({@code /v1/admin/keys}, shapes in docs/keys.md) over the shared admin client. */
final class KeysAdminClient {

    private final AdminApiClient api;

    KeysAdminClient(AdminApiClient api) {
        this.api = api;
    }

    JsonNode list() {
        return api.get("/v1/admin/keys");
    }

    JsonNode statusAll() {
        return api.get("/v1/admin/keys?view=status");
    }

    JsonNode status(String name) {
        return api.get(keyPath(name));
    }

    JsonNode rotate(String name) {
        return api.post(keyPath(name) + "/rotate");
    }

    /** Streams the NDJSON answer of a re-wrap: each progress line to {@code onProgress}; returns the result line. */
    JsonNode rewrap(String name, Consumer<JsonNode> onProgress) {
        String path = keyPath(name) + "/rewrap";
        JsonNode result = null;
        try (Stream<String> lines = api.postForLines(path, "application/x-ndjson")) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = api.parse(path, line);
                String event = node.path("event").asString();
                if ("progress".equals(event)) {
                    onProgress.accept(node);
                } else if ("result".equals(event)) {
                    result = node;
                } else if ("error".equals(event)) {
                    throw new AdminApiClient.Refused(500, node.path("error").asString(), node.path("message").asString());
                }
            }
        } catch (UncheckedIOException e) {
            throw new CouldNotRunException("the connection to " + api.base() + " broke during the re-wrap: " + e.getCause().getMessage()
                    + "; the re-wrap may still be running on the service (check 'portcullis keys status " + name + "')");
        }
        if (result == null) {
            throw new CouldNotRunException("the service ended the re-wrap answer without a result line;"
                    + " check 'portcullis keys status " + name + "'");
        }
        return result;
    }

    private static String keyPath(String name) {
        return "/v1/admin/keys/" + AdminApiClient.pathSegment(name);
    }
}
