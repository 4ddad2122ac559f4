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
import dev.portcullis.audit.storage.internal.LogFiles;
import dev.portcullis.audit.storage.internal.RecordFormat;
import dev.portcullis.audit.storage.internal.SegmentScanner;

/**
 * Storage overhead of the segment store: bytes on disk (segments with their framing, index, tree
 * levels, checkpoints) over the canonical event bytes, for N realistic events (default 1,000,000).
 * A segment counts up to the end of its records (where a scan of it ends), not its file size: the
 * writer preallocates the open segment with zeros, which are space reserved ahead, not overhead
 * (after the close measured here the two are the same; both are printed).
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
        try (var paths = Files.walk(dir)) {
            onDisk = paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long segmentFiles;
        try (var paths = Files.walk(dir.resolve("segments"))) {
            segmentFiles = paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long segments = 0;
        for (long first : LogFiles.listSegments(dir)) {
            Path segment = LogFiles.segmentsDir(dir).resolve(RecordFormat.segmentFileName(first));
            segments += SegmentScanner.scan(segment, first, null).endOffset();
        }
        // Everything else counts at its file size.
        onDisk = onDisk - segmentFiles + segments;
        System.out.printf("events: %d%ncanonical event bytes: %d (%.1f per event)%nsegments: %d up to the end of"
                        + " their records (%d as files)%nall files (segments up to their records): %d%n"
                        + "overhead: %.1f %% (framing %.1f %%, index + tree + checkpoints %.1f %%)%n",
                n, canonical, canonical / (double) n, segments, segmentFiles, onDisk, 100.0 * (onDisk - canonical) / canonical,
                100.0 * (segments - canonical) / canonical, 100.0 * (onDisk - segments) / canonical);
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
