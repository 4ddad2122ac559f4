package dev.portcullis.bench.audit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * Thread CPU time of the per-event work an append does before and inside the group commit,
 * measured on one thread: the RFC 8785 canonical bytes, the canonical bytes plus the RFC 6962 leaf
 * hash (what each appending thread does), and one interior node hash (what the writer does about
 * once per entry). Deterministic work, so the figures compare well across versions even on a
 * loaded machine; {@link AppendCpuCost} measures the whole append.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.portcullis.bench.audit.PrepareCpuCost [ROUNDS]}
 * (default 6; the first rounds are warm-up).
 */
public final class PrepareCpuCost {

    private PrepareCpuCost() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int n = 300_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        AuditEventJson json = new AuditEventJson();
        AuditEvent[] events = new AuditEvent[1024];
        for (int i = 0; i < events.length; i++) {
            events[i] = BenchEvents.decision(i);
        }
        long sink = 0; // keeps the JIT from dropping the work
        for (int round = 1; round <= rounds; round++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += json.canonicalBytes(events[i & 1023]).length;
            }
            long canonical = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += Rfc6962.leafHash(json.canonicalBytes(events[i & 1023]))[0];
            }
            long leaf = threads.getCurrentThreadCpuTime();
            byte[] hash = new byte[Rfc6962.HASH_SIZE];
            for (int i = 0; i < n; i++) {
                hash = Rfc6962.nodeHash(hash, hash);
            }
            long node = threads.getCurrentThreadCpuTime();
            System.out.printf("round %d: canonical bytes %.2f µs, canonical bytes + leaf hash %.2f µs, node hash %.2f µs"
                            + " (thread CPU per event)%n", round, (canonical - start) / 1000.0 / n,
                    (leaf - canonical) / 1000.0 / n, (node - leaf) / 1000.0 / n);
        }
        System.out.println(sink == 42 ? "" : "done");
    }
}
