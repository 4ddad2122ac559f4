package dev.portcullis.bench.anomaly;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import dev.portcullis.anomaly.DetectionEngine;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.detectors.Detectors;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.json.AuditEventJson;

/**
 * Offline detection throughput on one thread: all nine detectors over 14 days of simulated traffic
 * (about 600,000 events), side by side with two hand-written SIEM-style rules (the peer), and with
 * JSON parsing included (what {@code anomalies scan} does per line). One operation = one event.
 *
 * <p>{@code bin/bench jmh 'anomaly.*'}, or {@code java -jar bench/target/benchmarks.jar 'anomaly.*'}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx3g", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class DetectionBenchmark {

    static final int DAYS = 14;
    static final int EVENTS_PER_OP_HINT = 600_000;

    private List<AuditEvent> events;
    private String[] lines;
    private final AuditEventJson json = new AuditEventJson();

    @Setup(Level.Trial)
    public void load() {
        events = Workload.events(DAYS);
        lines = new String[events.size()];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = json.toJson(events.get(i));
        }
    }

    /** Every detector over the whole workload (fresh state each pass, so each pass learns and detects). */
    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_OP_HINT)
    public long allDetectors(Blackhole bh) {
        long[] alerts = new long[1];
        DetectionEngine engine = new DetectionEngine(Detectors.all(Thresholds.defaults()), a -> alerts[0]++);
        for (AuditEvent e : events) {
            engine.process(e);
        }
        engine.finish();
        bh.consume(engine.trackedEntities());
        return scale(alerts[0]);
    }

    /** The peer: two hand-written rules with per-key deques (what a SIEM rule author writes). */
    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_OP_HINT)
    public long naiveSiemRules() {
        NaiveSiemRules rules = new NaiveSiemRules();
        for (AuditEvent e : events) {
            rules.process(e);
        }
        return scale(rules.alerts);
    }

    /** Parsing each JSON line strictly, then every detector: the cost of {@code anomalies scan}. */
    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_OP_HINT)
    public long parseAndAllDetectors() {
        long[] alerts = new long[1];
        DetectionEngine engine = new DetectionEngine(Detectors.all(Thresholds.defaults()), a -> alerts[0]++);
        for (String line : lines) {
            engine.process(json.parse(line));
        }
        engine.finish();
        return scale(alerts[0]);
    }

    /**
     * JMH divides by {@link #EVENTS_PER_OP_HINT}; the workload's real size differs a little, and the
     * report corrects the figure by {@code actual / hint} (printed by {@link EntityMemory}).
     */
    private static long scale(long v) {
        return v;
    }
}
