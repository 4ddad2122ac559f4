package dev.portcullis.bench.audit;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.json.AuditEventJson;

/**
 * Parsing a logged event back, as a log follower (the online anomaly detector) does for every
 * entry: from its canonical UTF-8 bytes directly ({@code fromBytes}), or decoded to a string first
 * ({@code fromText}, what {@code LogEntry.event()} did before). Run with {@code -prof gc} for the
 * bytes allocated per parse.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class EventParseBenchmark {

    private final AuditEventJson json = new AuditEventJson(Integer.MAX_VALUE);
    private byte[] canonical;

    @Setup
    public void setUp() {
        canonical = json.canonicalBytes(BenchEvents.decision(42));
    }

    @Benchmark
    public AuditEvent fromBytes() {
        return json.parse(canonical);
    }

    @Benchmark
    public AuditEvent fromText() {
        return json.parse(new String(canonical, StandardCharsets.UTF_8));
    }
}
