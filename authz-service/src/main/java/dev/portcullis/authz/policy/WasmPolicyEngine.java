package dev.portcullis.authz.policy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.OpaPolicy;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decides in-process with the policy compiled to Wasm (run by {@code opa-java-wasm} on Chicory),
 * whenever that is provably the decision OPA would give, and asks OPA otherwise. OPA stays the
 * authority: the module is used only while
 * <ul>
 * <li>the revision watcher knows what OPA serves (it read OPA within {@code revision-max-age}),</li>
 * <li>the Rego sources the module was compiled from are exactly the modules OPA serves
 * ({@link PolicySources#digest} of both), and</li>
 * <li>the module is given the data documents OPA holds, as the watcher last read them;</li>
 * </ul>
 * and a module's answer is served only when it is a well-formed decision. An evaluation that fails
 * (a host builtin refusing an input it cannot answer exactly as OPA would, see {@link GoRfc3339};
 * a builtin the module needs and the host lacks; a trap), an undefined or malformed decision, or a
 * module still warming up: each hands that one decision to OPA, counted by reason
 * ({@link #handedToOpa}). So the in-process answer is never a guess, and a
 * failure of OPA is still a deny: with OPA unreachable the revision is unknown and every decision
 * goes to OPA, which fails closed as before.
 *
 * <p>The same staleness bound as the decision cache: a change of policy or watched data takes
 * effect in-process within one poll of the watcher (data every {@code revision-poll-interval},
 * modules every {@code policy-poll-interval}). The watched data paths must cover every data
 * document the policy reads; the module sees nothing else (the bundle's own {@code data.json} is
 * not loaded).
 *
 * <p>A Wasm instance is single-threaded state (its linear memory), so the engine keeps a small
 * pool, one per core by default: evaluation is pure CPU work, and more instances than cores only
 * add memory. A check waits for a free instance at most {@code wait} (by default the OPA timeout);
 * past it the decision fails as a timeout, and the caller denies.
 *
 * <p>Chicory translates the module to JVM bytecode; until the JIT has compiled it, an evaluation
 * is slower than asking OPA (docs/benchmarks.md: about 1 ms, against 80 µs warm). A background
 * thread evaluates {@code warmUpEvaluations} synthetic decisions first, and OPA decides meanwhile.
 */
public final class WasmPolicyEngine implements PolicyEngine, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WasmPolicyEngine.class);
    private static final int MAX_WASM_MEMORY_PAGES = 1024; // 64 MiB of linear memory per instance at most

    /** Why a decision went to OPA instead of the module. Stable: metric labels. */
    public enum Handoff {
        /** The watcher does not know what OPA serves (not read yet, unreachable, or too long ago). */
        REVISION_UNKNOWN,
        /** OPA serves other Rego modules than the bundle was compiled from. */
        POLICY_DIFFERS,
        /** The watched data documents could not be given to the module. */
        DATA_NOT_MIRRORED,
        /** The module has not been warmed up yet. */
        WARMING_UP,
        /** The evaluation failed: a builtin refused, a trap, an abort. */
        EVALUATION_FAILED,
        /** The module's decision was undefined or not of the agreed shape. */
        NO_DECISION
    }

    private final WasmPolicyBundle bundle;
    private final Supplier<Optional<OpaRevisionWatcher.Snapshot>> snapshots;
    private final PolicyEngine opa;
    private final JsonMapper json;
    private final Duration wait;
    private final BlockingQueue<Instance> idle;
    private final LongAdder inProcess = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final Map<Handoff, LongAdder> handoffs = new EnumMap<>(Handoff.class);
    private final Thread warmUp;
    private volatile boolean warm;
    private volatile MirroredData mirrored;
    private volatile String reportedPolicy;
    private volatile String reportedData;

    /** The data documents of one revision, as the JSON document the module is given. */
    private record MirroredData(String revision, String document) {
    }

    /** One Wasm instance and the revision whose data it currently holds. */
    private static final class Instance {
        final OpaPolicy policy;
        String dataRevision;

        Instance(OpaPolicy policy) {
            this.policy = policy;
        }
    }

    /**
     * @param snapshots what OPA serves, from the {@link OpaRevisionWatcher}
     * @param opa the engine asked whenever the module is not
     * @param instances how many Wasm instances (concurrent evaluations)
     * @param wait how long a check waits for a free instance; past it the decision fails (timeout)
     * @param warmUpEvaluations how many synthetic evaluations warm the module before it is used
     */
    public WasmPolicyEngine(WasmPolicyBundle bundle, Supplier<Optional<OpaRevisionWatcher.Snapshot>> snapshots,
            PolicyEngine opa, JsonMapper json, int instances, Duration wait, int warmUpEvaluations) {
        this.bundle = Objects.requireNonNull(bundle, "bundle cannot be null");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots cannot be null");
        this.opa = Objects.requireNonNull(opa, "opa cannot be null");
        this.json = Objects.requireNonNull(json, "json cannot be null");
        this.wait = Objects.requireNonNull(wait, "wait cannot be null");
        if (instances < 1 || instances > 64) {
            throw new IllegalArgumentException("between 1 and 64 Wasm instances, was " + instances);
        }
        if (warmUpEvaluations < 0) {
            throw new IllegalArgumentException("the warm-up cannot be negative, was " + warmUpEvaluations);
        }
        for (Handoff reason : Handoff.values()) {
            handoffs.put(reason, new LongAdder());
        }
        this.idle = new ArrayBlockingQueue<>(instances);
        for (int i = 0; i < instances; i++) {
            idle.add(new Instance(instantiate(bundle)));
        }
        this.warmUp = Thread.ofPlatform().daemon().name("wasm-policy-warm-up")
                .start(() -> warmUp(warmUpEvaluations));
    }

    private static OpaPolicy instantiate(WasmPolicyBundle bundle) {
        return OpaPolicy.builder()
                .withPolicy(bundle.module())
                .withMaxMemory(MAX_WASM_MEMORY_PAGES)
                .addBuiltins(OpaBuiltin.from("time.parse_rfc3339_ns", (wasm, text) -> {
                    if (!text.isTextual()) {
                        throw new GoRfc3339.NotFastPath("the argument is not a string");
                    }
                    return JsonNodeFactory.instance.numberNode(BigInteger.valueOf(GoRfc3339.parseNanos(text.asText())));
                }))
                .build()
                .entrypoint(bundle.entrypoint());
    }

    @Override
    public PolicyDecision decide(Map<String, Object> input) throws PolicyException {
        Optional<OpaRevisionWatcher.Snapshot> current = snapshots.get();
        if (current.isEmpty()) {
            return handOff(Handoff.REVISION_UNKNOWN, input);
        }
        OpaRevisionWatcher.Snapshot snapshot = current.get();
        if (!bundle.sourcesDigest().equals(snapshot.policySources())) {
            reportPolicyDiffers(snapshot.policySources());
            return handOff(Handoff.POLICY_DIFFERS, input);
        }
        if (!warm) {
            return handOff(Handoff.WARMING_UP, input);
        }
        MirroredData data = mirror(snapshot);
        if (data == null) {
            return handOff(Handoff.DATA_NOT_MIRRORED, input);
        }
        Instance instance = borrow();
        if (instance == null) {
            // Every instance busy for the whole wait: the cores are saturated, and an OPA on them
            // would not answer sooner; handing over would add its load to theirs (as an unknown
            // revision did in docs/benchmarks.md, authz run 15). So it fails as a question OPA
            // did not answer in time: a deny.
            timedOut.increment();
            throw new PolicyException(PolicyError.TIMEOUT,
                    "no Wasm instance became free within " + wait.toMillis() + " ms");
        }
        String answer;
        try {
            answer = evaluate(instance, data, json.writeValueAsString(input));
        } catch (RuntimeException e) {
            log.debug("the Wasm evaluation failed, OPA decides: {}", e.toString());
            answer = null;
        } finally {
            // Back before any hand-over: an instance must not wait for OPA's answer.
            idle.add(instance);
        }
        if (answer == null) {
            return handOff(Handoff.EVALUATION_FAILED, input);
        }
        try {
            PolicyDecision decision = PolicyDecisionReader.read(result(answer));
            inProcess.increment();
            return decision;
        } catch (PolicyException e) {
            return handOff(Handoff.NO_DECISION, input);
        }
    }

    /** Runs one evaluation, loading the revision's data into the instance first when it holds other data. */
    private static String evaluate(Instance instance, MirroredData data, String input) {
        try {
            if (!data.revision().equals(instance.dataRevision)) {
                instance.dataRevision = null;
                instance.policy.data(data.document());
                instance.dataRevision = data.revision();
            }
            return instance.policy.evaluate(input);
        } catch (RuntimeException e) {
            // Whatever the failed evaluation left in the instance's memory, the next one starts afresh.
            instance.dataRevision = null;
            throw e;
        }
    }

    /** The decision in an {@code opa_eval} answer ({@code [{"result": ...}]}, or {@code []} when undefined). */
    private JsonNode result(String answer) {
        JsonNode results;
        try {
            results = json.readTree(answer);
        } catch (RuntimeException e) {
            return null;
        }
        if (results == null || !results.isArray() || results.size() != 1) {
            return null;
        }
        return results.get(0).get("result");
    }

    private Instance borrow() throws PolicyException {
        try {
            return idle.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException(PolicyError.UNREACHABLE, "interrupted while waiting for a Wasm instance", e);
        }
    }

    private PolicyDecision handOff(Handoff reason, Map<String, Object> input) throws PolicyException {
        handoffs.get(reason).increment();
        return opa.decide(input);
    }

    /**
     * The data document for the snapshot's revision ({@link OpaDataDocument}), built once per
     * revision; null when OPA's answers cannot be combined.
     */
    private MirroredData mirror(OpaRevisionWatcher.Snapshot snapshot) {
        MirroredData known = mirrored;
        if (known != null && known.revision().equals(snapshot.revision())) {
            return known;
        }
        Optional<String> document = OpaDataDocument.combine(snapshot.data(), json);
        if (document.isEmpty()) {
            if (!snapshot.revision().equals(reportedData)) {
                reportedData = snapshot.revision();
                log.warn("cannot give OPA's data documents (revision {}) to the Wasm module; OPA decides",
                        snapshot.revision().substring(0, 12));
            }
            return null;
        }
        MirroredData next = new MirroredData(snapshot.revision(), document.get());
        mirrored = next;
        return next;
    }

    private void reportPolicyDiffers(String served) {
        if (!served.equals(reportedPolicy)) {
            reportedPolicy = served;
            log.warn("OPA serves other Rego modules than the Wasm bundle was compiled from (sources {} vs {});"
                    + " OPA decides every request until they match", served.substring(0, 12),
                    bundle.sourcesDigest().substring(0, 12));
        }
    }

    /**
     * Evaluates synthetic decisions on every instance in turn (an authenticated caller without
     * roles asking a path no route has, and one that every route pattern is matched against), with
     * OPA's data once the watcher has read it, then marks the module warm.
     */
    private void warmUp(int evaluations) {
        long started = System.nanoTime();
        List<String> inputs = warmUpInputs();
        int failed = 0;
        try {
            for (int i = 0; i < evaluations && !Thread.currentThread().isInterrupted(); i++) {
                Optional<OpaRevisionWatcher.Snapshot> snapshot = snapshots.get();
                MirroredData data = snapshot.map(this::mirror).orElse(new MirroredData("", "{}"));
                Instance instance = idle.take();
                try {
                    evaluate(instance, data, inputs.get(i % inputs.size()));
                } catch (RuntimeException e) {
                    // A synthetic decision the module cannot make is no reason to stay cold (each
                    // real decision it cannot make goes to OPA), but it is worth a line in the log.
                    failed++;
                } finally {
                    idle.add(instance);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        warm = true;
        log.info("Wasm policy (sources {}, {} instances) warmed up with {} evaluations ({} failed) in {} ms",
                bundle.sourcesDigest().substring(0, 12), idle.size(), evaluations, failed,
                (System.nanoTime() - started) / 1_000_000);
    }

    private List<String> warmUpInputs() {
        List<String> inputs = new ArrayList<>();
        for (String path : List.of("/portcullis-warm-up/a", "/orders/portcullis-warm-up", "/admin/portcullis/warm-up")) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("method", "GET");
            request.put("path", path);
            request.put("protocol", "http");
            request.put("source_ip", "127.0.0.1");
            request.put("headers", Map.of());
            Map<String, Object> principal = new LinkedHashMap<>();
            principal.put("authenticated", true);
            principal.put("subject", "portcullis-warm-up");
            principal.put("roles", List.of());
            principal.put("auth_methods", List.of("jwt"));
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("request", request);
            input.put("principal", principal);
            input.put("now_ns", System.currentTimeMillis() * 1_000_000L);
            inputs.add(json.writeValueAsString(input));
        }
        return inputs;
    }

    /** Whether the module has been warmed up and may answer. */
    public boolean warm() {
        return warm;
    }

    /** Decisions the module made. */
    public long inProcess() {
        return inProcess.sum();
    }

    /** Decisions that failed because no instance became free within the wait. */
    public long timedOut() {
        return timedOut.sum();
    }

    /** Decisions handed to OPA, by reason. */
    public long handedToOpa(Handoff reason) {
        return handoffs.get(reason).sum();
    }

    @Override
    public void close() {
        warmUp.interrupt();
    }
}
