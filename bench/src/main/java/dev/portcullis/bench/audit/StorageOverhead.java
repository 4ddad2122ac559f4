package dev.portcullis.bench.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.SegmentFileAuditLog;

/**
 * Storage overhead of the segment store: bytes on disk (segments with their framing, index, tree
 * levels, checkpoints) over the canonical event bytes, for N realistic events (default 1,000,000).
 * Run: {@code java -cp bench/target/benchmarks.jar dev.portcullis.bench.audit.StorageOverhead [N] [DIR]}.
 */
public final class StorageOverhead {

    private StorageOverhead() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Files.createTempDirectory(Path.of(args[1]), "overhead") : Files.createTempDirectory("overhead");
        AuditEventJson json = new AuditEventJson();
        long canonical = 0;
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, "bench.portcullis/audit",
                LocalEd25519CheckpointSigner.generate("bench.portcullis/audit", new SecureRandom()))
                .checkpointInterval(Duration.ofSeconds(1)).open()) {
            List<AuditEvent> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                AuditEvent event = BenchEvents.decision(i);
                canonical += json.canonicalBytes(event).length;
                batch.add(event);
                if (batch.size() == 1000) {
                    log.appendAll(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                log.appendAll(batch);
            }
        }
        long onDisk;
        long segments;
        try (var paths = Files.walk(dir)) {
            onDisk = paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        try (var paths = Files.walk(dir.resolve("segments"))) {
            segments = paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("events: %d%ncanonical event bytes: %d (%.1f per event)%nsegments: %d%nall files: %d%n"
                        + "overhead: %.1f %% (framing %.1f %%, index + tree + checkpoints %.1f %%)%n",
                n, canonical, canonical / (double) n, segments, onDisk, 100.0 * (onDisk - canonical) / canonical,
                100.0 * (segments - canonical) / canonical, 100.0 * (onDisk - segments) / canonical);
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
