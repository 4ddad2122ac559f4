package dev.portcullis.authz.policy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Watches what OPA decides with: every {@code interval} it reads the policy modules
 * ({@code GET /v1/policies}) and the data documents the decisions depend on, and hashes them into
 * a revision. Caches keyed by this revision are emptied by a change as soon as it is seen.
 *
 * <p>While OPA cannot be read, the revision is unknown ({@link Optional#empty()}) and callers MUST
 * NOT serve cached decisions: with the engine down every answer must be a fresh failure, never a
 * remembered allow.
 */
public final class OpaRevisionWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpaRevisionWatcher.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI policies;
    private final List<URI> data;
    private final HttpClient http;
    private final Duration timeout;
    private final ScheduledExecutorService poller;
    private volatile String revision;

    /**
     * @param opaUrl OPA's base URL
     * @param dataPaths the data documents decisions depend on, under {@code /v1/data/}
     */
    public OpaRevisionWatcher(URI opaUrl, List<String> dataPaths, HttpClient http, Duration interval, Duration timeout) {
        String base = Objects.requireNonNull(opaUrl, "opaUrl cannot be null").toString().replaceAll("/+$", "");
        this.policies = URI.create(base + "/v1/policies");
        this.data = dataPaths.stream().map(p -> URI.create(base + "/v1/data/" + p)).toList();
        this.http = Objects.requireNonNull(http, "http cannot be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
        this.poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("opa-revision-watcher").factory());
        long every = interval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The current revision, or empty while it is unknown (OPA unreachable, or not read yet). */
    public Optional<String> revision() {
        return Optional.ofNullable(revision);
    }

    void poll() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(policyModules(read(policies)));
            for (URI document : data) {
                digest.update((byte) 0);
                digest.update(read(document));
            }
            String next = HexFormat.of().formatHex(digest.digest());
            if (!next.equals(revision)) {
                log.info("OPA policy/data revision is now {}", next.substring(0, 12));
            }
            revision = next;
        } catch (IOException e) {
            if (revision != null) {
                log.warn("cannot read OPA's policies and data ({}); cached decisions are not used until it can", e.getMessage());
            }
            revision = null;
        } catch (InterruptedException e) {
            revision = null;
            Thread.currentThread().interrupt();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /**
     * The policy modules of a {@code GET /v1/policies} answer, in a stable form: each module's id
     * and source, sorted by id. OPA lists the modules in Go map order, which changes from one call
     * to the next; hashing the answer as it comes made the revision flip between values with
     * nothing changed, and every flip emptied the decision cache.
     */
    static byte[] policyModules(byte[] answer) throws IOException {
        JsonNode result;
        try {
            result = JSON.readTree(answer).path("result");
        } catch (JacksonException e) {
            throw new IOException("/v1/policies answered something that is not JSON", e);
        }
        if (!result.isArray()) {
            throw new IOException("/v1/policies answered without a result list");
        }
        TreeMap<String, String> modules = new TreeMap<>();
        for (JsonNode module : result) {
            modules.put(module.path("id").asString(""), module.path("raw").asString(""));
        }
        StringBuilder stable = new StringBuilder();
        // Length-prefixed, so that no two different module sets give the same bytes.
        modules.forEach((id, raw) -> stable.append(id.length()).append(':').append(id)
                .append(raw.length()).append(':').append(raw));
        return stable.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] read(URI uri) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(uri.getPath() + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
