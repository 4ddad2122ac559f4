package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.VerificationReport;

/**
 * Crash safety of the segment store: a writer process appending from many threads is killed with
 * SIGKILL at random moments, again and again. After each kill the log is reopened (recovery) and
 * must verify against its signed checkpoints, and every event whose append the writer had
 * acknowledged (printed after {@code append} returned) must be in it. Kills land anywhere: inside
 * a group write, between write and fsync, while a checkpoint is being signed or a segment rolled.
 */
class SegmentCrashSafetyIT {

    static final String ORIGIN = "portcullis.test/audit/crash";
    private static final int ROUNDS = 8;
    private static final int WRITERS = 32;

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedAppendSurvivesRepeatedSigkillAndTheLogVerifies() throws Exception {
        Path dir = tmp.resolve("log");
        Path key = tmp.resolve("crash.key");
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
        signer.writeKeyFile(key);
        CheckpointVerifier trust = new CheckpointVerifier(Set.of(signer.verifierKey()));
        Set<String> acknowledged = new HashSet<>();
        Random random = new Random();
        long previousSize = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int acksBeforeKill = 200 + random.nextInt(3000);
            List<String> acks = runAndKill(dir, key, round, acksBeforeKill);
            assertThat(acks).as("round %d acknowledged appends before the kill", round).hasSizeGreaterThanOrEqualTo(acksBeforeKill);
            acknowledged.addAll(acks);

            try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer).open()) {
                assertThat(log.size()).as("round %d: the log never shrinks", round).isGreaterThanOrEqualTo(previousSize);
                previousSize = log.size();
                Set<String> present = new HashSet<>();
                for (long i = 0; i < log.size(); i += 4096) {
                    for (LogEntry entry : log.read(i, 4096)) {
                        present.add(entry.event().id());
                    }
                }
                assertThat(present).as("round %d: ids are unique", round).hasSize((int) log.size());
                Set<String> missing = new HashSet<>(acknowledged);
                missing.removeAll(present);
                assertThat(missing).as("round %d: acknowledged but lost", round).isEmpty();
            }
            VerificationReport report = new LogVerifier(trust).verify(SegmentFileVerifiableLog.of(dir), null, null);
            assertThat(report.findings()).as("round %d: verify after recovery", round).isEmpty();
            assertThat(report.entries()).isEqualTo(previousSize);
        }
        assertThat(acknowledged.size()).isGreaterThan(ROUNDS * 200);
    }

    /** Starts the writer, waits for {@code acks} acknowledgements, kills it with SIGKILL, returns every ack it printed. */
    private List<String> runAndKill(Path dir, Path key, int round, int acks) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashTestWriter.class.getName(), dir.toString(), key.toString(), String.valueOf(round), String.valueOf(WRITERS))
                .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("writer-stderr.log").toFile()))
                .start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // The pipe closes when the process dies; what was read is what counts.
            }
        });
        List<String> acked = new ArrayList<>();
        try {
            while (acked.size() < acks) {
                // A watchdog against a hung child, not a performance assertion.
                String line = lines.poll(5, TimeUnit.MINUTES);
                assertThat(line).as("writer output (see %s)", tmp.resolve("writer-stderr.log")).isNotNull();
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                }
            }
        } finally {
            process.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
            process.waitFor();
        }
        reader.get(1, TimeUnit.MINUTES);
        for (String line; (line = lines.poll()) != null; ) {
            // A line cut off by the kill has no newline and is never returned by readLine as an
            // ACK of a whole id unless it was fully printed; a partial id cannot match any event.
            if (line.startsWith("ACK ") && line.length() == 4 + 36) {
                acked.add(line.substring(4));
            }
        }
        return acked;
    }
}
