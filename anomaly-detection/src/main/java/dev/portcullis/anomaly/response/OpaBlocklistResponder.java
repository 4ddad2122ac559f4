package dev.portcullis.anomaly.response;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.portcullis.anomaly.EntityKind;
import dev.portcullis.anomaly.alert.AlertRecord;
import dev.portcullis.audit.json.AuditEventJson;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Responds to an alert by adding its entity to the block list that the authz policy reads: the OPA
 * data document {@value #DATA_PATH} =
 * {@code {"entries": {"<kind>:<value>": {"until": "<RFC 3339 UTC>", "reason": "...", "alert_id": "..."}}}}
 * ({@code policies/authz} denies a request whose subject, client, SPIFFE ID, token id or source IP
 * matches an entry whose {@code until} is in the future).
 *
 * <p>This responder keeps the list it wants in memory and writes the whole document with one PUT
 * (OPA's data API has no compare-and-set). Each write first reads OPA's copy and merges it (entries
 * added by someone else are kept, the later {@code until} wins), drops expired entries, then PUTs.
 * Two writers racing between GET and PUT can still lose one entry until the next
 * {@link #reconcile}: keep one responder per OPA. OPA holds pushed data in memory only, so
 * {@link #reconcile} (run every {@code reconcileEvery} by {@link #startReconciler}) re-pushes when
 * OPA's copy lacks what this responder holds, e.g. after an OPA restart.
 *
 * <p>Acts on every entity kind of the contract; failures are outcomes, never exceptions.
 */
public final class OpaBlocklistResponder implements Responder, AutoCloseable {

    public static final String NAME = "opa-blocklist";
    /** Where the document lives in OPA's data API. */
    public static final String DATA_PATH = "/v1/data/portcullis/blocklist";
    public static final Duration DEFAULT_BLOCK_FOR = Duration.ofHours(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RECONCILE_EVERY = Duration.ofSeconds(30);
    private static final int MAX_REASON = 200;

    private static final System.Logger LOG = System.getLogger(OpaBlocklistResponder.class.getName());
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** One block-list entry, as the policy reads it. */
    public record Entry(Instant until, String reason, String alertId) {
        public Entry {
            // Milliseconds, as written to OPA: a finer local value would look newer than OPA's copy forever.
            until = Objects.requireNonNull(until, "until cannot be null").truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            Objects.requireNonNull(reason, "reason cannot be null");
        }
    }

    private final URI document;
    private final HttpClient client;
    private final Duration timeout;
    private final ResponseMode mode;
    private final ResponseRule rule;
    private final Duration blockFor;
    private final Clock clock;
    private final Map<String, Entry> wanted = new TreeMap<>();
    private ScheduledExecutorService reconciler;

    private OpaBlocklistResponder(Builder b) {
        this.document = b.opa.resolve(DATA_PATH);
        this.timeout = b.timeout;
        this.mode = b.mode;
        this.rule = b.rule;
        this.blockFor = b.blockFor;
        this.clock = b.clock;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A responder for the OPA at {@code opa} (e.g. {@code http://127.0.0.1:8181}). */
    public static Builder builder(URI opa) {
        return new Builder(opa);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ResponseMode mode() {
        return mode;
    }

    @Override
    public List<ResponseOutcome> respond(AlertRecord record) {
        if (mode == ResponseMode.OFF) {
            return List.of();
        }
        String key = record.alert().entity().key();
        String target = "opa:blocklist/" + key;
        String whyNot = rule.whyNot(record.alert());
        if (whyNot != null) {
            return List.of(outcome(ResponseOutcome.Status.NOT_APPLICABLE, target, whyNot));
        }
        Instant until = clock.instant().plus(blockFor);
        String reason = record.alert().detector() + ": " + record.alert().explanation();
        if (reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON - 3) + "...";
        }
        String untilText = AuditEventJson.formatTime(until);
        if (mode == ResponseMode.DRY_RUN) {
            return List.of(outcome(ResponseOutcome.Status.WOULD_APPLY, target, "would block until " + untilText));
        }
        synchronized (this) {
            Entry previous = wanted.get(key);
            if (previous == null || previous.until().isBefore(until)) {
                wanted.put(key, new Entry(until, reason, record.id()));
            }
            try {
                push();
                return List.of(outcome(ResponseOutcome.Status.APPLIED, target, "blocked until "
                        + AuditEventJson.formatTime(wanted.get(key).until())));
            } catch (IOException e) {
                return List.of(outcome(ResponseOutcome.Status.FAILED, target, "OPA did not take the block list ("
                        + e.getMessage() + "); kept locally and retried by the reconciler"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of(outcome(ResponseOutcome.Status.FAILED, target, "interrupted while pushing to OPA"));
            }
        }
    }

    /**
     * Removes {@code key} (e.g. {@code subject:alice}) from the block list, here and in OPA.
     *
     * @throws IOException if OPA could not be read or written
     */
    /**
     * Lifts the block on {@code key}, in OPA and here. This responder forgets it only once OPA took
     * the change: after a failed write the block is still enforced, so it must still be listed and
     * liftable (and the reconciler must keep it consistent).
     *
     * @return false when neither OPA nor this responder held an unexpired block with that key
     */
    public synchronized boolean unblock(String key) throws IOException, InterruptedException {
        Map<String, Entry> current = unexpired(fetch());
        boolean held = current.remove(key) != null | unexpired(wanted).containsKey(key);
        if (!held) {
            return false;
        }
        Map<String, Entry> keep = new LinkedHashMap<>(unexpired(wanted));
        keep.remove(key);
        current.putAll(keep);
        put(current);
        wanted.remove(key);
        return true;
    }

    /** The entries this responder holds, unexpired, by key. */
    public synchronized Map<String, Entry> entries() {
        return unexpired(wanted);
    }

    /**
     * The unexpired blocks OPA enforces, with this responder's own (the later {@code until} of the
     * two): also blocks written by an earlier life of the service, which only OPA still holds.
     */
    public synchronized Map<String, Entry> enforced() throws IOException, InterruptedException {
        Map<String, Entry> all = new LinkedHashMap<>(unexpired(fetch()));
        for (Map.Entry<String, Entry> e : unexpired(wanted).entrySet()) {
            all.merge(e.getKey(), e.getValue(), (a, b) -> a.until().isAfter(b.until()) ? a : b);
        }
        return all;
    }

    /**
     * Makes OPA hold at least this responder's unexpired entries: re-pushes when OPA's copy lacks
     * one or holds an earlier {@code until} (e.g. OPA restarted and lost its in-memory data).
     *
     * @return true when it had to push
     */
    public synchronized boolean reconcile() throws IOException, InterruptedException {
        Map<String, Entry> want = unexpired(wanted);
        Map<String, Entry> have = fetch();
        for (Map.Entry<String, Entry> e : want.entrySet()) {
            Entry there = have.get(e.getKey());
            if (there == null || there.until().isBefore(e.getValue().until())) {
                push();
                return true;
            }
        }
        return false;
    }

    /** Runs {@link #reconcile} every {@code every} on a daemon thread until {@link #close}. */
    public synchronized void startReconciler(Duration every) {
        if (reconciler != null) {
            return;
        }
        reconciler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("portcullis-blocklist-reconciler").factory());
        reconciler.scheduleWithFixedDelay(() -> {
            try {
                if (reconcile()) {
                    LOG.log(System.Logger.Level.WARNING, "OPA's block list was missing entries; pushed it again");
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot reconcile the block list with OPA: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void push() throws IOException, InterruptedException {
        Map<String, Entry> merged = fetch();
        for (Map.Entry<String, Entry> e : wanted.entrySet()) {
            Entry there = merged.get(e.getKey());
            if (there == null || there.until().isBefore(e.getValue().until())) {
                merged.put(e.getKey(), e.getValue());
            }
        }
        wanted.keySet().retainAll(unexpired(wanted).keySet());
        put(unexpired(merged));
    }

    private Map<String, Entry> unexpired(Map<String, Entry> entries) {
        Instant now = clock.instant();
        Map<String, Entry> out = new TreeMap<>();
        entries.forEach((k, v) -> {
            if (v.until().isAfter(now)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** OPA's current entries (empty when the document does not exist yet). */
    Map<String, Entry> fetch() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(document).timeout(timeout).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IOException("GET " + DATA_PATH + " answered HTTP " + response.statusCode());
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = MAPPER.readTree(response.body());
        } catch (JacksonException e) {
            throw new IOException("OPA's answer is not JSON");
        }
        JsonNode list = root.path("result").path("entries");
        if (!list.isObject()) {
            return entries;
        }
        for (Map.Entry<String, JsonNode> e : list.properties()) {
            JsonNode value = e.getValue();
            try {
                Instant until = Instant.parse(value.path("until").asString(""));
                JsonNode alertId = value.get("alert_id");
                entries.put(e.getKey(), new Entry(until, value.path("reason").asString(""),
                        alertId == null || alertId.isNull() ? null : alertId.asString()));
            } catch (DateTimeParseException ex) {
                // An entry the policy cannot use either (time.parse_rfc3339_ns fails): dropped on the next write.
                LOG.log(System.Logger.Level.WARNING, "dropping block-list entry with an unreadable 'until'");
            }
        }
        return entries;
    }

    private void put(Map<String, Entry> entries) throws IOException, InterruptedException {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        ObjectNode list = doc.putObject("entries");
        entries.forEach((k, v) -> {
            ObjectNode entry = list.putObject(k);
            entry.put("until", AuditEventJson.formatTime(v.until()));
            entry.put("reason", v.reason());
            entry.put("alert_id", v.alertId());
        });
        HttpRequest request = HttpRequest.newBuilder(document).timeout(timeout)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(doc), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 204 && response.statusCode() != 200) {
            throw new IOException("PUT " + DATA_PATH + " answered HTTP " + response.statusCode());
        }
    }

    private ResponseOutcome outcome(ResponseOutcome.Status status, String target, String detail) {
        return new ResponseOutcome(NAME, "block", mode, status, target, detail);
    }

    @Override
    public synchronized void close() {
        if (reconciler != null) {
            reconciler.shutdownNow();
            reconciler = null;
        }
    }

    /** Configures an {@link OpaBlocklistResponder}: mode OFF, block for an hour, high and critical alerts. */
    public static final class Builder {
        private final URI opa;
        private ResponseMode mode = ResponseMode.OFF;
        private ResponseRule rule = ResponseRule.of(Set.of(EntityKind.values()));
        private Duration blockFor = DEFAULT_BLOCK_FOR;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder(URI opa) {
            this.opa = Objects.requireNonNull(opa, "opa cannot be null");
        }

        public Builder mode(ResponseMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode cannot be null");
            return this;
        }

        public Builder rule(ResponseRule rule) {
            this.rule = Objects.requireNonNull(rule, "rule cannot be null");
            return this;
        }

        /** How long a block lasts from the alert (default {@link #DEFAULT_BLOCK_FOR}). */
        public Builder blockFor(Duration blockFor) {
            Objects.requireNonNull(blockFor, "blockFor cannot be null");
            if (blockFor.isNegative() || blockFor.isZero() || blockFor.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("blockFor must be more than 0 and at most 30 days");
            }
            this.blockFor = blockFor;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
            return this;
        }

        public OpaBlocklistResponder build() {
            return new OpaBlocklistResponder(this);
        }
    }

    /** For tests and the admin API: the entries as a list of keys, sorted. */
    public synchronized List<String> keys() {
        return new ArrayList<>(unexpired(wanted).keySet());
    }
}
