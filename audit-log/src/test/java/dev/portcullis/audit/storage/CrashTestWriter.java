package dev.portcullis.audit.storage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;

/**
 * The child process of {@link SegmentCrashSafetyIT}: appends events from many virtual threads to a
 * durable segment log and prints {@code ACK <id>} on standard output after each append returned,
 * that is, after the log promised the event is durable, until it is killed.
 *
 * <p>Arguments: log directory, key file, round number, writer threads.
 */
public final class CrashTestWriter {

    private CrashTestWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.load(Path.of(args[1]));
        int round = Integer.parseInt(args[2]);
        int writers = Integer.parseInt(args[3]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
        SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, SegmentCrashSafetyIT.ORIGIN, signer)
                .segmentMaxBytes(256 * 1024)
                .checkpointInterval(Duration.ofMillis(20))
                .open();
        synchronized (out) {
            out.println("READY " + log.size());
            out.flush();
        }
        for (int t = 0; t < writers; t++) {
            int thread = t;
            Thread.ofVirtual().start(() -> {
                for (long seq = 0; ; seq++) {
                    String id = id(round, thread, seq);
                    AuditEvent event = AuditEvent.builder(EventType.AUTHZ_DECISION, Instant.now())
                            .id(id).actor(new Actor("crash-" + thread, null, null, null, null, null, null))
                            .action("GET").resource("/crash/" + seq).outcome(Outcome.ALLOW).build();
                    log.append(event);
                    synchronized (out) {
                        out.println("ACK " + id);
                        out.flush();
                    }
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    static String id(int round, int thread, long seq) {
        return String.format("%08x-%04x-7000-8000-%012x", round, thread, seq);
    }
}
