package dev.portcullis.bench.audit;

import java.lang.management.ManagementFactory;
import java.util.List;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.internal.PreparedEvent;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * Thread CPU time of the per-event work an append does before and inside the group commit,
 * measured on one thread: the RFC 8785 canonical bytes, the canonical bytes plus the RFC 6962 leaf
 * hash, the event prepared as an append prepares it ({@link PreparedEvent#prepareAll}: what each
 * appending thread does, with the bytes it allocates), and one interior node hash (what the writer
 * does about once per entry). Deterministic work, so the figures compare well across versions even
 * on a loaded machine; {@link AppendCpuCost} measures the whole append.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.portcullis.bench.audit.PrepareCpuCost [ROUNDS] [EVENTS]}
 * (default 6 rounds, the first ones warm-up, over 1024 events; EVENTS a power of two, 262144 to
 * read the events from memory rather than from the CPU caches, as the 256 writers of
 * {@link AppendCpuCost} do). The events are visited in a scattered order (stride 7919).
 */
public final class PrepareCpuCost {

    private PrepareCpuCost() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        // A power of two; 1024 events stay in the CPU caches, 262144 (as many as AppendCpuCost's
        // 256 writers cycle through) do not, as in the appends.
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int mask = count - 1;
        int n = 300_000;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AuditEventJson json = new AuditEventJson();
        AuditEvent[] events = new AuditEvent[count];
        for (int i = 0; i < events.length; i++) {
            events[i] = BenchEvents.decision(i);
        }
        long sink = 0; // keeps the JIT from dropping the work
        for (int round = 1; round <= rounds; round++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += json.canonicalBytes(events[(int) ((i * 7919L) & mask)]).length;
            }
            long canonical = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += Rfc6962.leafHash(json.canonicalBytes(events[(int) ((i * 7919L) & mask)]))[0];
            }
            long leaf = threads.getCurrentThreadCpuTime();
            long allocated0 = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                sink += PreparedEvent.prepareAll(json, List.of(events[(int) ((i * 7919L) & mask)])).size();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocated0;
            long prepared = threads.getCurrentThreadCpuTime();
            byte[] hash = new byte[Rfc6962.HASH_SIZE];
            for (int i = 0; i < n; i++) {
                hash = Rfc6962.nodeHash(hash, hash);
            }
            long node = threads.getCurrentThreadCpuTime();
            System.out.printf("round %d: canonical bytes %.2f µs, canonical bytes + leaf hash %.2f µs, prepared event"
                            + " %.2f µs (%d bytes allocated), node hash %.2f µs (thread CPU per event)%n", round,
                    (canonical - start) / 1000.0 / n, (leaf - canonical) / 1000.0 / n, (prepared - leaf) / 1000.0 / n,
                    allocated / n, (node - prepared) / 1000.0 / n);
        }
        System.out.println(sink == 42 ? "" : "done");
    }
}
