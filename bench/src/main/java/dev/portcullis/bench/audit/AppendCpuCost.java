package dev.portcullis.bench.audit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.SegmentFileAuditLog;

/**
 * CPU time per durable append: {@code W} writer threads (default 256) append single events to one
 * {@link SegmentFileAuditLog} in DURABLE mode; after a warm-up, the process CPU time and the CPU
 * time of the log's writer (group commit) thread are divided by the appends made in the
 * measurement window. Unlike appends per second, CPU per append hardly depends on what else runs
 * on a shared machine, so before/after comparisons of the store's own work hold under load.
 *
 * <p>Two figures matter: the process CPU per append (what 2 cores can afford: 200,000 appends/s
 * leaves 10 µs), and the group-commit thread's CPU per append, which is serial and so bounds the
 * throughput to 1 / that value whatever the number of cores. The bytes allocated per append (by all
 * platform threads, which carry the virtual ones) are printed because the garbage collector's CPU is
 * part of the process CPU. The wall-clock rate is printed too, but on a loaded machine it says little.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.portcullis.bench.audit.AppendCpuCost
 * [WRITERS] [WARMUP_S] [MEASURE_S] [ROUNDS] [DIR] [platform|virtual] [PREALLOCATION_BYTES]}
 * (defaults 256 5 10 3, a temporary directory, platform threads as JMH uses; {@code virtual} runs
 * the writers on virtual threads, whose park and unpark stay in user space; PREALLOCATION_BYTES
 * sets {@link SegmentFileAuditLog.Builder#preallocationBytes}, 0 = off, default: the builder's).
 */
public final class AppendCpuCost {

    private AppendCpuCost() {
    }

    public static void main(String[] args) throws Exception {
        int writers = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int warmupSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int measureSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path dir = args.length > 4 ? Files.createTempDirectory(Path.of(args[4]), "append-cpu")
                : Files.createTempDirectory("append-cpu");
        boolean virtual = args.length > 5 && args[5].equals("virtual");
        Long preallocation = args.length > 6 ? Long.valueOf(args[6]) : null;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong appends = new AtomicLong();
        List<Thread> started = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(writers);
        SegmentFileAuditLog.Builder builder = SegmentFileAuditLog.builder(dir, "bench.portcullis/audit",
                LocalEd25519CheckpointSigner.generate("bench.portcullis/audit", new SecureRandom()))
                .checkpointInterval(Duration.ofSeconds(1));
        if (preallocation != null) {
            // Only when asked: the classes of a build without preallocation lack this setting.
            builder.preallocationBytes(preallocation);
        }
        try (SegmentFileAuditLog log = builder.open()) {
            for (int t = 0; t < writers; t++) {
                long base = t * 1_000_000L;
                Thread.Builder threadBuilder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
                Thread writer = threadBuilder.name("bench-writer-" + t).start(() -> {
                    AuditEvent[] events = new AuditEvent[1024];
                    for (int i = 0; i < events.length; i++) {
                        events[i] = BenchEvents.decision(base + i);
                    }
                    ready.countDown();
                    int next = 0;
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            log.append(events[next++ & 1023]);
                        } catch (RuntimeException e) {
                            return; // the log was closed at the end of the run
                        }
                        appends.incrementAndGet();
                    }
                });
                started.add(writer);
            }
            ready.await();
            Thread.sleep(warmupSeconds * 1000L);
            System.out.printf("writers %d (%s threads), warm-up %d s, %d rounds of %d s, preallocation %s, log in %s%n",
                    writers, virtual ? "virtual" : "platform", warmupSeconds, rounds, measureSeconds,
                    preallocation == null ? "default" : preallocation + " bytes", dir);
            for (int r = 1; r <= rounds; r++) {
                long groupCommitCpu0 = groupCommitCpu(threads);
                // All platform threads, which includes the carriers of virtual threads.
                long allocated0 = threads.getTotalThreadAllocatedBytes();
                long cpu0 = os.getProcessCpuTime();
                long n0 = appends.get();
                long wall0 = System.nanoTime();
                Thread.sleep(measureSeconds * 1000L);
                long n = appends.get() - n0;
                long cpu = os.getProcessCpuTime() - cpu0;
                long wall = System.nanoTime() - wall0;
                long groupCommit = groupCommitCpu(threads) - groupCommitCpu0;
                long allocated = threads.getTotalThreadAllocatedBytes() - allocated0;
                System.out.printf("round %d: %,d appends, %.2f µs process CPU per append, %.2f µs group-commit"
                                + " thread CPU per append, %,d bytes allocated per append, %,.0f appends/s wall clock"
                                + " (load average %.1f)%n",
                        r, n, cpu / 1000.0 / n, groupCommit / 1000.0 / n, allocated / n, n * 1e9 / wall,
                        os.getSystemLoadAverage());
            }
            started.forEach(Thread::interrupt);
        }
        for (Thread t : started) {
            t.join();
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** CPU time of the log's writer thread (named "audit-writer ..."), in nanoseconds. */
    private static long groupCommitCpu(ThreadMXBean threads) {
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("audit-writer")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
