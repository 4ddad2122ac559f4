package dev.portcullis.authz.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.portcullis.authz.testing.MutableClock;
import tools.jackson.databind.json.JsonMapper;

class OpaRevisionWatcherTest {

    /** A stand-in for OPA's policy and data API: what it answers is set by the test; it counts the reads. */
    private final Map<String, String> documents = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    /** Paths the stand-in answers only after this many milliseconds (OPA busy). */
    private final Map<String, Long> delaysMillis = new ConcurrentHashMap<>();
    /** The watcher's clock, in nanoseconds; moved by the tests. */
    private final AtomicLong now = new AtomicLong();
    private HttpServer opa;
    private OpaRevisionWatcher watcher;

    private URI startOpa() throws IOException {
        documents.put("/v1/policies", "{\"result\":[" + A + "," + B + "]}");
        documents.put("/v1/data/authz", "{\"result\":{\"routes\":[]}}");
        documents.put("/v1/data/portcullis/blocklist", "{}");
        opa = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        opa.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            reads.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Long delay = delaysMillis.get(path);
            if (delay != null) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String body = documents.get(path);
            byte[] bytes = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        opa.setExecutor(Executors.newCachedThreadPool()); // a delayed answer must not hold up the next read
        opa.start();
        return URI.create("http://127.0.0.1:" + opa.getAddress().getPort());
    }

    private OpaRevisionWatcher watcher(Duration policyInterval) throws IOException {
        return watcher(policyInterval, Duration.ofSeconds(2));
    }

    private OpaRevisionWatcher watcher(Duration policyInterval, Duration maxAge) throws IOException {
        watcher = OpaRevisionWatcher.unscheduled(startOpa(), List.of("authz", "portcullis/blocklist"),
                HttpClient.newHttpClient(), Duration.ofMillis(200), policyInterval, maxAge, now::get);
        return watcher;
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    private int reads(String path) {
        AtomicInteger count = reads.get(path);
        return count == null ? 0 : count.get();
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
        if (opa != null) {
            opa.stop(0);
        }
    }

    @Test
    void aBlockListPushedAsDataChangesTheRevisionAtTheNextPoll() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        watcher.poll();
        Optional<String> before = watcher.revision();

        documents.put("/v1/data/portcullis/blocklist",
                "{\"result\":{\"entries\":{\"subject:alice\":{\"until\":\"2026-11-23T13:00:00Z\"}}}}");
        watcher.poll();

        assertThat(before).isPresent();
        assertThat(watcher.revision()).isPresent().isNotEqualTo(before);
    }

    @Test
    void theSnapshotHoldsEachWatchedDocumentAsOpaAnsweredItAndTheSourcesFingerprint() throws IOException {
        String blocklist = "{\"result\":{\"entries\":{\"subject:alice\":{\"until\":\"2026-11-23T13:00:00Z\"}}}}";
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        documents.put("/v1/data/portcullis/blocklist", blocklist);
        watcher.poll();

        OpaRevisionWatcher.Snapshot snapshot = watcher.snapshot().orElseThrow();
        assertThat(watcher.revision().orElseThrow()).startsWith(snapshot.revision() + "#");
        assertThat(snapshot.data().keySet()).containsExactly("authz", "portcullis/blocklist");
        assertThat(new String(snapshot.data().get("portcullis/blocklist"), StandardCharsets.UTF_8)).isEqualTo(blocklist);
        assertThat(snapshot.policySources()).isEqualTo(
                OpaRevisionWatcher.policySourcesDigest(documents.get("/v1/policies").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBlockListPushedAsDataEmptiesTheDecisionCache() throws Exception {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        watcher.poll();
        AtomicInteger asked = new AtomicInteger();
        PolicyEngine engine = input -> {
            asked.incrementAndGet();
            boolean blocked = documents.get("/v1/data/portcullis/blocklist").contains("subject:alice");
            return new PolicyDecision(!blocked, blocked ? 403 : 200, List.of(blocked ? "blocked:subject" : "role:order-reader"),
                    Map.of(), null);
        };
        CachingPolicyEngine cache = new CachingPolicyEngine(engine, watcher::revision,
                new MutableClock(Instant.parse("2026-11-23T12:00:00Z")), Duration.ofSeconds(1), 100, Set.of(),
                Duration.ofSeconds(10), JsonMapper.builder().build());
        Map<String, Object> input = Map.of("principal", Map.of("subject", "alice"), "request", Map.of("path", "/orders/1"));
        assertThat(cache.decide(input).allow()).isTrue();
        assertThat(cache.decide(input).allow()).isTrue();
        assertThat(asked).hasValue(1);

        documents.put("/v1/data/portcullis/blocklist",
                "{\"result\":{\"entries\":{\"subject:alice\":{\"until\":\"2026-11-23T13:00:00Z\"}}}}");
        watcher.poll();

        assertThat(cache.decide(input).allow()).isFalse();
        assertThat(asked).hasValue(2);
    }

    /**
     * A decision OPA made while the watcher still named the previous revision is filed under that
     * revision; when OPA later returns to exactly that state (a block lifted and set again, a
     * policy or route table rolled back), the revision string comes back too, and so would the
     * decision made in between.
     */
    @Test
    void aDecisionFiledUnderARevisionWhileOpaAlreadyServedAnotherIsNotServedWhenThatRevisionReturns() throws Exception {
        String aliceBlocked = "{\"result\":{\"entries\":{\"subject:alice\":{\"until\":\"2026-11-23T13:00:00Z\"}}}}";
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        documents.put("/v1/data/portcullis/blocklist", aliceBlocked);
        watcher.poll();
        PolicyEngine engine = input -> {
            boolean blocked = documents.get("/v1/data/portcullis/blocklist").contains("subject:alice");
            return new PolicyDecision(!blocked, blocked ? 403 : 200, List.of(blocked ? "blocked:subject" : "role:order-reader"),
                    Map.of(), null);
        };
        CachingPolicyEngine cache = new CachingPolicyEngine(engine, watcher::revision,
                new MutableClock(Instant.parse("2026-11-23T12:00:00Z")), Duration.ofSeconds(60), 100, Set.of(),
                Duration.ofSeconds(10), JsonMapper.builder().build());
        Map<String, Object> input = Map.of("principal", Map.of("subject", "alice"), "request", Map.of("path", "/orders/1"));

        // Lifted in OPA; before the watcher's next poll alice asks, and OPA allows her.
        documents.put("/v1/data/portcullis/blocklist", "{}");
        assertThat(cache.decide(input).allow()).isTrue();
        watcher.poll();
        assertThat(cache.decide(input).allow()).isTrue();

        // Blocked again with the very same document (e.g. the responder's reconciler re-pushing it).
        documents.put("/v1/data/portcullis/blocklist", aliceBlocked);
        watcher.poll();

        assertThat(cache.decide(input).allow()).isFalse();
    }

    /**
     * OPA activates policy and data together (a bundle); a poll that reads the new data must not
     * pair it with the modules it read before: no engine ever served that pair, and the in-process
     * engine would evaluate the old module on the new data.
     */
    @Test
    void aRevisionOpaReturnsToIsNamedAfreshAndAnUnchangedOneKeepsItsName() throws IOException {
        String aliceBlocked = "{\"result\":{\"entries\":{\"subject:alice\":{\"until\":\"2026-11-23T13:00:00Z\"}}}}";
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        watcher.poll();
        String first = watcher.revision().orElseThrow();
        watcher.poll();
        assertThat(watcher.revision()).as("nothing changed").contains(first);

        documents.put("/v1/data/portcullis/blocklist", aliceBlocked);
        watcher.poll();
        String second = watcher.revision().orElseThrow();
        documents.put("/v1/data/portcullis/blocklist", "{}");
        watcher.poll();

        assertThat(watcher.revision()).isPresent().get().isNotIn(first, second);
        assertThat(watcher.snapshot().orElseThrow().revision()).as("the content hash is the first one's")
                .isEqualTo(first.substring(0, first.indexOf('#')));
    }

    @Test
    void dataThatChangedIsNeverPairedWithModulesReadBeforeTheChange() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        watcher.poll();
        String newModules = "{\"result\":[" + A.replace("package portcullis.authz\\n", "package portcullis.authz\\n# v2\\n")
                + "," + B + "]}";

        documents.put("/v1/policies", newModules);
        documents.put("/v1/data/authz", "{\"result\":{\"routes\":[{\"name\":\"v2\"}]}}");
        watcher.poll();

        OpaRevisionWatcher.Snapshot snapshot = watcher.snapshot().orElseThrow();
        assertThat(new String(snapshot.data().get("authz"), StandardCharsets.UTF_8)).contains("v2");
        assertThat(snapshot.policySources())
                .isEqualTo(OpaRevisionWatcher.policySourcesDigest(newModules.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void whenTheDataChangeTheModulesAreReadInTheSamePollAndOtherwiseOnlyAtTheirInterval() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        watcher.poll();
        watcher.poll();
        int policyReads = reads("/v1/policies");

        documents.put("/v1/data/portcullis/blocklist",
                "{\"result\":{\"entries\":{\"subject:alice\":{\"until\":\"2026-11-23T13:00:00Z\"}}}}");
        int dataReads = reads("/v1/data/authz");
        watcher.poll();
        assertThat(reads("/v1/policies")).as("read with the changed data").isEqualTo(policyReads + 1);
        assertThat(reads("/v1/data/authz")).as("the modules did not change: the data are not read again")
                .isEqualTo(dataReads + 1);

        watcher.poll();
        assertThat(reads("/v1/policies")).as("nothing changed, not due").isEqualTo(policyReads + 1);
    }

    @Test
    void modulesThatChangeBetweenTheDataReadAndTheirOwnArePairedWithTheDataReadAfterThem() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        watcher.poll();
        String newModules = "{\"result\":[" + A.replace("package portcullis.authz\\n", "package portcullis.authz\\n# v2\\n")
                + "," + B + "]}";
        String newRoutes = "{\"result\":{\"routes\":[{\"name\":\"v2\"}]}}";
        // A block list pushed (so the modules are read in this poll), and OPA activating a new
        // bundle, modules and data at once, just after the watcher read the last data document.
        documents.put("/v1/data/portcullis/blocklist", "{\"result\":{}}");
        opa.removeContext("/");
        opa.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            reads.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String body = documents.get(path);
            byte[] bytes = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
            if (path.equals("/v1/data/portcullis/blocklist")) {
                documents.put("/v1/policies", newModules);
                documents.put("/v1/data/authz", newRoutes);
            }
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });

        watcher.poll();

        OpaRevisionWatcher.Snapshot snapshot = watcher.snapshot().orElseThrow();
        assertThat(snapshot.policySources())
                .isEqualTo(OpaRevisionWatcher.policySourcesDigest(newModules.getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(snapshot.data().get("authz"), StandardCharsets.UTF_8)).isEqualTo(newRoutes);
    }

    @Test
    void dataIsReadAtEveryPollAndThePolicyModulesAtTheirOwnInterval() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
            watcher.poll();
        }

        // Once per poll, and once more at the first: read before modules it did not know yet.
        assertThat(reads("/v1/data/authz")).isEqualTo(11);
        assertThat(reads("/v1/data/portcullis/blocklist")).isEqualTo(11);
        // 1 s of policy interval over 200 ms polls: the first poll and every fifth.
        assertThat(reads("/v1/policies")).isEqualTo(2);
    }

    @Test
    void aChangedPolicyModuleChangesTheRevisionWhenTheModulesAreReadNext() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofMillis(400));
        watcher.poll();
        Optional<String> before = watcher.revision();

        documents.put("/v1/policies", "{\"result\":[" + A.replace("package portcullis.authz\\n", "package portcullis.authz\\n# edited\\n")
                + "," + B + "]}");
        watcher.poll();
        assertThat(watcher.revision()).as("modules not due yet").isEqualTo(before);
        watcher.poll();

        assertThat(watcher.revision()).isPresent().isNotEqualTo(before);
    }

    @Test
    void withTheDefaultIntervalsTheModulesAreReadAtEveryPoll() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofMillis(200));
        watcher.poll();
        Optional<String> before = watcher.revision();

        documents.put("/v1/policies", "{\"result\":[" + B + "]}");
        watcher.poll();

        assertThat(watcher.revision()).isPresent().isNotEqualTo(before);
    }

    @Test
    void whenOpaCannotBeReadTheRevisionIsUnknownAndTheModulesAreReadAgainFirst() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1));
        watcher.poll();
        assertThat(watcher.revision()).isPresent();

        documents.remove("/v1/data/portcullis/blocklist");
        watcher.poll();
        assertThat(watcher.revision()).isEmpty();

        documents.put("/v1/data/portcullis/blocklist", "{}");
        int policyReads = reads("/v1/policies");
        watcher.poll();
        assertThat(watcher.revision()).isPresent();
        assertThat(reads("/v1/policies")).isEqualTo(policyReads + 1);
    }

    @Test
    void aSlowReadKeepsTheRevisionUntilItIsMaxAgeOldCountedFromTheLastGoodRead() throws IOException {
        // maxAge is also each read's timeout: 2 s of real time, so that the good reads pass on a
        // loaded machine; the watcher's clock, which the age is measured on, is the test's.
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1), Duration.ofSeconds(2));
        watcher.poll();
        Optional<String> known = watcher.revision();
        assertThat(known).isPresent();

        delaysMillis.put("/v1/data/portcullis/blocklist", 10_000L);
        advance(Duration.ofMillis(200));
        watcher.poll(); // times out after 2 s of real time
        assertThat(reads("/v1/data/portcullis/blocklist")).as("twice at the first poll, once at this one").isEqualTo(3);
        advance(Duration.ofMillis(1_800));
        assertThat(watcher.revision()).as("2 s after the last good read began").isEqualTo(known);

        advance(Duration.ofMillis(1));
        assertThat(watcher.revision()).as("older than maxAge").isEmpty();

        delaysMillis.clear();
        watcher.poll();
        // Known again, but named afresh: OPA may have served something else during the gap and
        // come back, and what was filed under the old name meanwhile must not come back with it.
        assertThat(watcher.revision()).isPresent().isNotEqualTo(known);
        assertThat(watcher.snapshot().orElseThrow().revision()).as("the same policy and data")
                .isEqualTo(known.orElseThrow().substring(0, known.orElseThrow().indexOf('#')));
    }

    @Test
    void theAgeIsEnforcedWhenTheRevisionIsAskedForNotOnlyWhenAPollEnds() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1), Duration.ofSeconds(2));
        watcher.poll();
        assertThat(watcher.revision()).isPresent();

        advance(Duration.ofMillis(2_001)); // the poller stuck or starved: no poll at all

        assertThat(watcher.revision()).isEmpty();
    }

    @Test
    void anEngineThatRefusesConnectionsIsForgottenAtOnce() throws IOException {
        OpaRevisionWatcher watcher = watcher(Duration.ofSeconds(1), Duration.ofSeconds(2));
        watcher.poll();
        assertThat(watcher.revision()).isPresent();

        opa.stop(0);
        watcher.poll();

        assertThat(watcher.revision()).isEmpty();
    }

    @Test
    void aMaxAgeNoLongerThanTheDataIntervalIsRefused() {
        assertThatThrownBy(() -> OpaRevisionWatcher.unscheduled(URI.create("http://127.0.0.1:1"), List.of(),
                HttpClient.newHttpClient(), Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(200),
                System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum age");
    }

    @Test
    void aPolicyIntervalShorterThanTheDataIntervalIsRefused() {
        assertThatThrownBy(() -> OpaRevisionWatcher.unscheduled(URI.create("http://127.0.0.1:1"), List.of(),
                HttpClient.newHttpClient(), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofSeconds(1),
                System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy poll interval");
    }

    private static byte[] answer(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static final String A = "{\"id\":\"policies/authz/authz.rego\",\"raw\":\"package portcullis.authz\\n\",\"ast\":{\"x\":1}}";
    private static final String B = "{\"id\":\"policies/fields/fields.rego\",\"raw\":\"package portcullis.fields\\n\",\"ast\":{\"y\":2}}";

    @Test
    void theOrderInWhichOpaListsModulesDoesNotChangeTheRevision() throws IOException {
        // OPA lists modules in Go map order: the same set comes back in different orders.
        assertThat(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "," + B + "]}")))
                .isEqualTo(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + B + "," + A + "]}")));
    }

    @Test
    void aChangedModuleSourceChangesTheRevision() throws IOException {
        String changed = A.replace("package portcullis.authz\\n", "package portcullis.authz\\n# edited\\n");
        assertThat(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "," + B + "]}")))
                .isNotEqualTo(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + changed + "," + B + "]}")));
    }

    @Test
    void anAddedOrRemovedModuleChangesTheRevision() throws IOException {
        assertThat(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "]}")))
                .isNotEqualTo(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "," + B + "]}")));
    }

    @Test
    void theAstIsNotPartOfTheRevision() throws IOException {
        String otherAst = A.replace("\"ast\":{\"x\":1}", "\"ast\":{\"x\":[1,{\"deep\":true}]}");
        assertThat(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "]}")))
                .isEqualTo(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + otherAst + "]}")));
    }

    @Test
    void moduleIdsAreNotPartOfTheRevisionSoThatAWasmBundleBuiltElsewhereMatches() throws IOException {
        String elsewhere = A.replace("policies/authz/authz.rego", "/build/checkout/policies/authz/authz.rego");
        assertThat(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "," + B + "]}")))
                .isEqualTo(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + elsewhere + "," + B + "]}")))
                .isEqualTo(PolicySources.digest(List.of("package portcullis.fields\n", "package portcullis.authz\n")));
    }

    @Test
    void aModuleLoadedTwiceIsNotTheSameAsOnce() throws IOException {
        String copy = A.replace("policies/authz/authz.rego", "policies/authz/copy.rego");
        assertThat(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "]}")))
                .isNotEqualTo(OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[" + A + "," + copy + "]}")));
    }

    @Test
    void anAnswerThatIsNotAModuleListIsAnError() {
        assertThatThrownBy(() -> OpaRevisionWatcher.policySourcesDigest(answer("<html>")))
                .isInstanceOf(IOException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":{}}")))
                .isInstanceOf(IOException.class).hasMessageContaining("without a result list");
        assertThatThrownBy(() -> OpaRevisionWatcher.policySourcesDigest(answer("{\"error\":\"x\"}")))
                .isInstanceOf(IOException.class).hasMessageContaining("without a result list");
        assertThatThrownBy(() -> OpaRevisionWatcher.policySourcesDigest(answer("{\"result\":[\"x\"]}")))
                .isInstanceOf(IOException.class).hasMessageContaining("other than modules");
    }
}
