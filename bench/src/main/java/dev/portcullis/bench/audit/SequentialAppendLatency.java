package dev.portcullis.bench.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.SegmentFileAuditLog;

/**
 * The latency of one durable append made alone: one thread appends N events one after the other
 * to a fresh {@link SegmentFileAuditLog} (DURABLE, default settings), so each append waits for its
 * own write and {@code fdatasync}; the median is what the flush of a small group costs on this
 * disk (the wall-clock time of a single writer, not a throughput figure). It shows whether the
 * flush of a growing file (which also commits the new file size to the journal) is slower than
 * the flush of a preallocated one: run it with the classes before and after on the class path.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.portcullis.bench.audit.SequentialAppendLatency
 * [N] [WARMUP] [DIR]} (defaults 5000, 500, a temporary directory). Prints the median, the 10th,
 * 90th and 99th percentiles and the maximum, in microseconds per append.
 */
public final class SequentialAppendLatency {

    private SequentialAppendLatency() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path dir = args.length > 2 ? Files.createTempDirectory(Path.of(args[2]), "append-latency")
                : Files.createTempDirectory("append-latency");
        AuditEvent[] events = new AuditEvent[warmup + n];
        for (int i = 0; i < events.length; i++) {
            events[i] = BenchEvents.decision(i);
        }
        long[] nanos = new long[n];
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, "bench.portcullis/audit",
                LocalEd25519CheckpointSigner.generate("bench.portcullis/audit", new SecureRandom()))
                .checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < warmup; i++) {
                log.append(events[i]);
            }
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                log.append(events[warmup + i]);
                nanos[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        System.out.printf("%d sequential durable appends (after %d): median %.1f µs, p10 %.1f, p90 %.1f, p99 %.1f,"
                        + " max %.1f µs per append%n", n, warmup, at(nanos, 0.5), at(nanos, 0.1), at(nanos, 0.9),
                at(nanos, 0.99), nanos[n - 1] / 1000.0);
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static double at(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1000.0;
    }
}
