package dev.portcullis.bench.anomaly;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import javax.management.ObjectName;

import dev.portcullis.anomaly.DetectionEngine;
import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.anomaly.detectors.Detectors;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * Heap per tracked entity: feeds N distinct subjects, each with the events that make every
 * per-subject detector hold state for it (an allowed request, a denied one, a decryption, a failed
 * login), and measures the live heap after a full GC before and after, divided by N. Also prints
 * the workload size for the JMH figures. With HOURS &gt; 0 every subject comes back in each of that
 * many later hours with the same events, which closes its windows: the state a long-lived entity
 * holds (rate spike's baseline, the isolation forest's hour profile and known routes, the off-hours
 * rule's profile) instead of an entity's first hour.
 *
 * <p>{@code java -Xmx6g -cp bench/target/benchmarks.jar dev.portcullis.bench.anomaly.EntityMemory 200000 worst|typical [HOURS]}
 * ({@code -Dentitymemory.histogram=true} also prints the live heap's largest classes)
 */
public final class EntityMemory {

    private EntityMemory() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        // "worst": every per-subject detector holds state (a failure, a denial, a decryption); "typical":
        // only allowed requests, as for most subjects most of the time.
        boolean worst = args.length < 2 || args[1].equals("worst");
        int laterHours = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        System.out.printf(Locale.ROOT, "workload: %d events in %d simulated days%n",
                Workload.events(DetectionBenchmark.DAYS).size(), DetectionBenchmark.DAYS);
        DetectionEngine engine = new DetectionEngine(Detectors.all(Thresholds.defaults()), a -> { });
        long before = usedAfterGc();
        Instant t0 = Instant.parse("2026-03-02T09:00:00Z");
        for (int hour = 0; hour <= laterHours; hour++) {
            feedOneHour(engine, n, worst, t0.plus(Duration.ofHours(hour)));
        }
        long after = usedAfterGc();
        System.out.printf(Locale.ROOT, (worst ? "worst case: " : "typical: ") + "%d subjects, %d later hours, %d detector states (%s), %.0f bytes of heap per subject%n", n, laterHours,
                engine.trackedEntities(), engine.detectors().stream().map(d -> d.name() + "=" + d.trackedEntities()).toList(),
                (after - before) / (double) n);
        if (Boolean.getBoolean("entitymemory.histogram")) {
            // Where the bytes are, while the engine is still reachable (jcmd GC.class_histogram).
            Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            ((String) histogram).lines().limit(40).forEach(System.out::println);
        }
        if (engine.processed() < 0) {
            System.out.println(engine);
        }
    }

    /** Each of the {@code n} subjects' events once, a millisecond apart from {@code start}. */
    private static void feedOneHour(DetectionEngine engine, int n, boolean worst, Instant start) {
        for (int i = 0; i < n; i++) {
            String subject = "subject-" + i;
            Instant t = start.plusMillis(i);
            Actor a = new Actor(subject, "web-frontend", null, "10." + (i >>> 16 & 255) + "." + (i >>> 8 & 255) + "." + (i & 255),
                    "Mozilla/5.0 Firefox/133", "tok-" + i, "sess-" + i);
            List<AuditEvent> typical = List.of(
                    AuditEvent.builder(EventType.AUTHZ_DECISION, t).actor(a).action("GET").resource("/orders/" + i)
                            .outcome(Outcome.ALLOW).build());
            for (AuditEvent e : !worst ? typical : List.of(
                    AuditEvent.builder(EventType.AUTHZ_DECISION, t).actor(a).action("GET").resource("/orders/" + i)
                            .outcome(Outcome.ALLOW).build(),
                    AuditEvent.builder(EventType.AUTHZ_DECISION, t).actor(a).action("GET").resource("/admin/keys")
                            .outcome(Outcome.DENY).build(),
                    AuditEvent.builder(EventType.FIELD_DECRYPT, t).actor(a).action("decrypt").resource("customers.ssn")
                            .outcome(Outcome.SUCCESS).attribute("fields", 3).build(),
                    AuditEvent.builder(EventType.AUTHN_FAILURE, t).actor(a).action("POST").resource("/token")
                            .outcome(Outcome.DENY).build())) {
                engine.process(e);
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
