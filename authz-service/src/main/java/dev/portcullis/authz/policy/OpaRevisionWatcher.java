package dev.portcullis.authz.policy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.portcullis.authz.digest.Sha256;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Watches what OPA decides with: every {@code interval} it reads the data documents the decisions
 * depend on, every {@code policyInterval} the policy modules ({@code GET /v1/policies}), and hashes
 * both into a revision. A cache of decisions files them under {@link #revision()}, so that a
 * change empties it for good as soon as it is seen, even when OPA later returns to a revision
 * seen before.
 *
 * <p>The two are read at their own pace because they cost very different amounts: OPA answers
 * {@code GET /v1/policies} with every module's source and its whole AST (about 220 KB for
 * {@code policies/}, some 16 ms of OPA's CPU per call, docs/benchmarks.md), a data document in
 * well under a millisecond. Data is what changes at run time (the anomaly responder's block list),
 * so it is read often; modules change when a policy is deployed. The AST is skipped while reading,
 * never parsed.
 *
 * <p>A snapshot MUST pair data and modules that OPA served together. OPA activates a bundle's
 * modules and data at once, and the modules read up to {@code policyInterval} earlier paired with
 * the new data are a state OPA never served: the in-process engine, whose module matched the old
 * modules, decided on the new data with the old policy (an allow neither version gives, when the
 * new data means something only the new policy reads). So the data are read first, the modules
 * also whenever the data changed, and the data once more whenever the modules changed: one
 * change, of modules, data or both, is seen whole or not at all. The price is a read of the
 * modules at every poll at which the data changed (a block list pushed), besides the regular ones.
 *
 * <p>While OPA cannot be read, the revision is unknown ({@link Optional#empty()}) and callers MUST
 * NOT serve cached decisions: with the engine down every answer must be a fresh failure, never a
 * remembered allow. A refused connection, an error status or a malformed answer forgets the
 * revision at once. A read that times out (OPA busy answering a burst of decisions) does not:
 * the revision stays known until it is {@code maxAge} old, counted from the start of the last poll
 * that read it, and {@link #revision()} enforces that age itself, so neither slow reads nor a stuck
 * poller can stretch the bound. Forgetting on the first slow read turned a burst into a collapse:
 * every cached input went back to OPA at once, which made OPA slower still (docs/benchmarks.md,
 * authz run 4).
 */
public final class OpaRevisionWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpaRevisionWatcher.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI policies;
    private final List<String> dataPaths;
    private final List<URI> data;
    private final HttpClient http;
    private final Duration maxAge;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private final long policyEvery;
    private final ScheduledExecutorService poller;
    private long polls;
    private String policyDigest;
    /** {@link #revision} of the data documents alone at the last poll, to see that they changed. */
    private String dataDigest;
    private volatile Confirmed confirmed;
    private long periods;
    private HttpClient ownedClient;

    /**
     * What OPA decided with at one poll: the revision (a hash of all of it, the same whenever OPA
     * serves the same again; caches key by {@link OpaRevisionWatcher#revision()} instead), the
     * fingerprint of its policy modules' sources ({@link PolicySources#digest}) and each watched
     * data document as OPA answered it ({@code GET /v1/data/<path>}, the raw JSON, keyed by path
     * in the configured order).
     */
    public record Snapshot(String revision, String policySources, Map<String, byte[]> data) {
    }

    /**
     * A snapshot, the {@code nanoTime} at which the poll that read it started, and the number of
     * the period in which the watcher has been seeing this revision without a change or a gap.
     */
    private record Confirmed(Snapshot snapshot, long readFrom, long period) {
    }

    /**
     * @param opaUrl OPA's base URL
     * @param dataPaths the data documents decisions depend on, under {@code /v1/data/}
     * @param interval how often the data documents are read
     * @param policyInterval how often the policy modules are read; a multiple of {@code interval}
     *     (rounded down, at least {@code interval})
     * @param maxAge how long a revision stays known without a successful poll; longer than
     *     {@code interval}, and also each read's timeout (a slower answer is too old to use)
     */
    public OpaRevisionWatcher(URI opaUrl, List<String> dataPaths, HttpClient http, Duration interval,
            Duration policyInterval, Duration maxAge) {
        this(opaUrl, dataPaths, http, interval, policyInterval, maxAge, System::nanoTime, true);
    }

    /**
     * A watcher with an HTTP client of its own whose work runs on one platform thread. The
     * service's shared client completes its exchanges on virtual threads; when the cores are
     * saturated (a load generator's burst of TLS handshakes) those queue behind hundreds of
     * runnable checks, the watcher's reads outlasted {@code maxAge}, the revision became unknown,
     * and every decision went to an OPA on the same saturated cores (docs/benchmarks.md, authz
     * run 15). A platform thread is scheduled by the OS beside the carriers, not behind them.
     */
    public static OpaRevisionWatcher withOwnClient(URI opaUrl, List<String> dataPaths, Duration interval,
            Duration policyInterval, Duration maxAge) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(maxAge)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newSingleThreadExecutor(
                        Thread.ofPlatform().daemon().name("opa-revision-watcher-http").factory()))
                .build();
        OpaRevisionWatcher watcher = new OpaRevisionWatcher(opaUrl, dataPaths, client, interval, policyInterval,
                maxAge, System::nanoTime, true);
        watcher.ownedClient = client;
        return watcher;
    }

    /** A watcher that only polls when {@link #poll()} is called, on the given clock (tests). */
    static OpaRevisionWatcher unscheduled(URI opaUrl, List<String> dataPaths, HttpClient http, Duration interval,
            Duration policyInterval, Duration maxAge, LongSupplier nanoTime) {
        return new OpaRevisionWatcher(opaUrl, dataPaths, http, interval, policyInterval, maxAge, nanoTime, false);
    }

    private OpaRevisionWatcher(URI opaUrl, List<String> dataPaths, HttpClient http, Duration interval,
            Duration policyInterval, Duration maxAge, LongSupplier nanoTime, boolean scheduled) {
        String base = Objects.requireNonNull(opaUrl, "opaUrl cannot be null").toString().replaceAll("/+$", "");
        this.policies = URI.create(base + "/v1/policies");
        this.dataPaths = List.copyOf(dataPaths);
        this.data = dataPaths.stream().map(p -> URI.create(base + "/v1/data/" + p)).toList();
        this.http = Objects.requireNonNull(http, "http cannot be null");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge cannot be null");
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime cannot be null");
        long every = interval.toMillis();
        if (every <= 0) {
            throw new IllegalArgumentException("the revision poll interval must be at least 1 ms, was " + interval);
        }
        if (maxAge.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("the revision's maximum age (" + maxAge
                    + ") must be longer than the data poll interval (" + interval + ")");
        }
        if (policyInterval.compareTo(interval) < 0) {
            throw new IllegalArgumentException("the policy poll interval (" + policyInterval
                    + ") must not be shorter than the data poll interval (" + interval + ")");
        }
        this.policyEvery = Math.max(1, policyInterval.toMillis() / every);
        this.poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("opa-revision-watcher").factory());
        if (scheduled) {
            poller.scheduleWithFixedDelay(this::poll, 0, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The current revision, or empty while it is unknown: OPA unreachable or failing, not read yet,
     * or not read successfully for longer than {@code maxAge}. What a cache of decisions MUST file
     * its entries under: the hash of what OPA serves ({@link Snapshot#revision()}) together with
     * the number of the period in which this watcher has been seeing it, from the poll that first
     * read it to the poll that read another one, or that came after a gap in the reads.
     *
     * <p>Why not the hash alone: a decision is filed under the revision known when it was asked
     * for, and OPA may already be serving the next one, which the watcher sees only at its next
     * poll. Such a decision is wrong for the revision it is filed under, and a hash comes back
     * whenever OPA returns to exactly that state (a policy rolled back, a grant added and taken
     * away again, a block lifted and pushed again). Filed under the hash, the decision came back
     * with it and was served for the rest of its time to live; filed under the period, it is never
     * served again once the watcher has seen the change.
     */
    public Optional<String> revision() {
        return current().map(c -> c.snapshot().revision() + "#" + c.period());
    }

    /** The current snapshot, under the same rule as {@link #revision()}: empty while unknown or too old. */
    public Optional<Snapshot> snapshot() {
        return current().map(Confirmed::snapshot);
    }


    private Optional<Confirmed> current() {
        Confirmed current = confirmed;
        if (current == null || nanoTime.getAsLong() - current.readFrom() > maxAgeNanos) {
            return Optional.empty();
        }
        return Optional.of(current);
    }

    /**
     * Reads the data documents, then the policy modules when they are due, unknown or the data
     * changed, then the data again when the modules changed (see the class comment), and updates
     * the revision. Runs on the poller's one thread (or a test's), never concurrently.
     */
    synchronized void poll() {
        long readFrom = nanoTime.getAsLong();
        try {
            Map<String, byte[]> documents = readData();
            String documentsDigest = revision("", documents);
            if (policyDigest == null || polls % policyEvery == 0 || !documentsDigest.equals(dataDigest)) {
                String modules = policySourcesDigest(read(policies));
                if (!modules.equals(policyDigest)) {
                    // Other modules than before, or none known: the data read before them may be
                    // older than they are (a bundle activates both at once), so it is read again.
                    documents = readData();
                    documentsDigest = revision("", documents);
                }
                policyDigest = modules;
            }
            polls++;
            dataDigest = documentsDigest;
            String next = revision(policyDigest, documents);
            Confirmed previous = confirmed;
            long period = previous == null ? 0 : previous.period();
            if (previous == null || !next.equals(previous.snapshot().revision())) {
                log.info("OPA policy/data revision is now {}", next.substring(0, 12));
                period = ++periods;
            } else if (readFrom - previous.readFrom() > maxAgeNanos) {
                // A gap: OPA may have served something else meanwhile and come back.
                period = ++periods;
            }
            confirmed = new Confirmed(new Snapshot(next, policyDigest, Collections.unmodifiableMap(documents)), readFrom,
                    period);
        } catch (HttpTimeoutException e) {
            // Busy or cut off, which a timeout cannot tell apart (a connect timeout on loopback is
            // a full accept queue: run 7); either way maxAge bounds how long the last revision serves.
            log.debug("reading OPA's policies and data took longer than {}", maxAge);
        } catch (IOException e) {
            if (confirmed != null) {
                log.warn("cannot read OPA's policies and data ({}); cached decisions are not used until it can", e.getMessage());
            }
            forget();
        } catch (InterruptedException e) {
            forget();
            Thread.currentThread().interrupt();
        }
    }

    /** Unknown until OPA can be read again, the modules included: a restarted OPA may load other ones. */
    private void forget() {
        confirmed = null;
        policyDigest = null;
        dataDigest = null;
    }

    /** Each watched data document as OPA answers it now, by path in the configured order. */
    private Map<String, byte[]> readData() throws IOException, InterruptedException {
        Map<String, byte[]> documents = new LinkedHashMap<>();
        for (int i = 0; i < data.size(); i++) {
            documents.put(dataPaths.get(i), read(data.get(i)));
        }
        return documents;
    }

    /** The revision of modules with this fingerprint deciding on these data documents. */
    private static String revision(String policySources, Map<String, byte[]> documents) {
        MessageDigest digest = Sha256.newDigest();
        digest.update(policySources.getBytes(StandardCharsets.US_ASCII));
        for (byte[] answer : documents.values()) {
            digest.update((byte) 0);
            digest.update(answer);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The fingerprint of the policy modules in a {@code GET /v1/policies} answer: their sources,
     * order-free ({@link PolicySources#digest}). OPA lists the modules in Go map order, which
     * changes from one call to the next; hashing the answer as it came made the revision flip
     * between values with nothing changed, and every flip emptied the decision cache. Module ids
     * (file paths) are left out so that the fingerprint can be compared with a Wasm bundle's.
     */
    static String policySourcesDigest(byte[] answer) throws IOException {
        List<String> sources = new ArrayList<>();
        // Streamed: only each module's id and source are kept; its AST (most of the answer) is skipped.
        try (JsonParser parser = JSON.createParser(answer)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("/v1/policies answered without a result list");
            }
            boolean sawResult = false;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!name.equals("result")) {
                    parser.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_ARRAY) {
                    throw new IOException("/v1/policies answered without a result list");
                }
                sawResult = true;
                JsonToken element;
                while ((element = parser.nextToken()) == JsonToken.START_OBJECT) {
                    String raw = "";
                    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                        String field = parser.currentName();
                        JsonToken token = parser.nextToken();
                        if (field.equals("raw") && token == JsonToken.VALUE_STRING) {
                            raw = parser.getString();
                        } else {
                            parser.skipChildren();
                        }
                    }
                    sources.add(raw);
                }
                if (element != JsonToken.END_ARRAY) {
                    throw new IOException("/v1/policies answered a result list of something other than modules");
                }
            }
            if (!sawResult) {
                throw new IOException("/v1/policies answered without a result list");
            }
        } catch (JacksonException e) {
            throw new IOException("/v1/policies answered something that is not JSON", e);
        }
        return PolicySources.digest(sources);
    }

    private byte[] read(URI uri) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(maxAge).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(uri.getPath() + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    @Override
    public void close() {
        poller.shutdownNow();
        if (ownedClient != null) {
            ownedClient.close();
        }
    }
}
