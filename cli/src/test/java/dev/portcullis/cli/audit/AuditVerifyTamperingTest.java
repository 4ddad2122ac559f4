package dev.portcullis.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.SegmentFileAuditLog;
import dev.portcullis.cli.audit.SegmentSurgery.Rec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each way of tampering with a log on disk, detected by {@code portcullis audit verify} with exit
 * code 1 and the first bad index named. The log is written by the real store; the attacker edits
 * its files the way someone with write access to the directory would, usually fixing up the
 * checksums so that only the Merkle tree and the signatures can give the change away.
 */
class AuditVerifyTamperingTest {

    private static final String ORIGIN = AuditCommandsTest.ORIGIN;
    private static final int ENTRIES = 200;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path tmp;
    Path logDir;
    Path segment0;
    LocalEd25519CheckpointSigner signer;

    @BeforeEach
    void writeLog() throws Exception {
        logDir = tmp.resolve("log");
        segment0 = SegmentSurgery.segment(logDir, 0);
        signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
        // Several signed checkpoints along the way, as the running service would leave.
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(logDir, ORIGIN, signer)
                .checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < ENTRIES; i++) {
                log.append(AuditCommandsTest.event(i));
                if (i % 50 == 49) {
                    log.checkpoint();
                }
            }
        }
        assertThat(verify().exitCode()).as("the untouched log verifies").isZero();
    }

    private Cli verify(String... extra) {
        List<String> args = new ArrayList<>(List.of("audit", "verify", "--log-dir", logDir.toString(),
                "--trusted-key", signer.verifierKey().toString(), "--output", "json"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private static JsonNode assertTampered(Cli result, long firstBadIndex, String code) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        JsonNode report = MAPPER.readTree(result.out());
        assertThat(report.get("intact").asBoolean()).isFalse();
        assertThat(report.get("first_bad_index").asLong()).as(result.out()).isEqualTo(firstBadIndex);
        List<String> codes = new ArrayList<>();
        report.get("findings").forEach(f -> codes.add(f.get("code").asString()));
        assertThat(codes).as(result.out()).contains(code);
        return report;
    }

    @Test
    void oneByteChangedInARecordIsFoundByItsChecksum() throws Exception {
        byte[] bytes = Files.readAllBytes(segment0);
        int at = (int) SegmentSurgery.offsetOf(segment0, 77) + 13 + 40;
        bytes[at] ^= 0x01;
        Files.write(segment0, bytes);
        assertTampered(verify(), 77, "RECORD_DAMAGED");
    }

    @Test
    void oneByteChangedWithTheChecksumFixedUpIsFoundByTheLeafHash() throws Exception {
        List<Rec> records = SegmentSurgery.read(segment0);
        Rec r = records.get(77);
        String changed = new String(r.payload(), StandardCharsets.UTF_8).replace("\"deny\"", "\"allow\"");
        assertThat(changed).isNotEqualTo(new String(r.payload(), StandardCharsets.UTF_8));
        records.set(77, new Rec(r.index(), r.flags(), changed.getBytes(StandardCharsets.UTF_8)));
        SegmentSurgery.write(segment0, 0, records);
        JsonNode report = assertTampered(verify(), 77, "LEAF_HASH_MISMATCH");
        assertThat(report.toString()).contains("ROOT_MISMATCH");
    }

    @Test
    void aCheckpointFileThatIsNoCheckpointAtAllIsABadArgumentNotTampering() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.checkpoint"), "");
        Path events = AuditCommandsTest.eventsFile(tmp, "events.jsonl", 0, 2);

        for (Path notACheckpoint : List.of(empty, events)) {
            Cli result = verify("--checkpoint", notACheckpoint.toString());

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
            assertThat(result.err()).contains("is not a signed checkpoint");
        }
    }

    @Test
    void aProofOfAChangedEntryIsAFindingNotAFailureToRun() throws Exception {
        List<Rec> records = SegmentSurgery.read(segment0);
        Rec r = records.get(77);
        records.set(77, new Rec(r.index(), r.flags(),
                new String(r.payload(), StandardCharsets.UTF_8).replace("\"deny\"", "\"allow\"").getBytes(StandardCharsets.UTF_8)));
        SegmentSurgery.write(segment0, 0, records);

        Cli proof = Cli.run("audit", "proof", "--log-dir", logDir.toString(), "--index", "77");

        assertThat(proof.exitCode()).as(proof.toString()).isEqualTo(1);
        assertThat(proof.err()).contains("TAMPERED: entry 77").contains("audit verify");
        assertThat(Cli.run("audit", "proof", "--log-dir", logDir.toString(), "--index", "12").exitCode()).isZero();
    }

    @Test
    void aChangeWithEveryDerivedFileRewrittenIsStillFoundByTheSignedCheckpoints() throws Exception {
        List<Rec> records = SegmentSurgery.read(segment0);
        Rec r = records.get(120);
        records.set(120, new Rec(r.index(), r.flags(),
                new String(r.payload(), StandardCharsets.UTF_8).replace("/orders/120", "/orders/999").getBytes(StandardCharsets.UTF_8)));
        SegmentSurgery.write(segment0, 0, records);
        // The attacker also rewrites the stored leaf hashes, so only the signatures are left.
        Path leaves = logDir.resolve("tree/level-00");
        byte[] hashes = Files.readAllBytes(leaves);
        byte[] forged = dev.portcullis.audit.tree.Rfc6962.leafHash(records.get(120).payload());
        System.arraycopy(forged, 0, hashes, 120 * 32, 32);
        Files.write(leaves, hashes);
        // Checkpoints at 50, 100 still match; the one at 150 does not: the change is in [100, 150).
        JsonNode report = assertTampered(verify(), 100, "ROOT_MISMATCH");
        assertThat(report.toString()).contains("[100, 150)");
    }

    @Test
    void aRemovedRecordIsFoundWhereItWas() throws Exception {
        List<Rec> records = SegmentSurgery.read(segment0);
        records.remove(42);
        SegmentSurgery.write(segment0, 0, records);
        assertTampered(verify(), 42, "RECORD_OUT_OF_PLACE");
    }

    @Test
    void twoSwappedRecordsAreFoundAtTheFirst() throws Exception {
        List<Rec> records = SegmentSurgery.read(segment0);
        Rec a = records.get(10);
        records.set(10, records.get(11));
        records.set(11, a);
        SegmentSurgery.write(segment0, 0, records);
        assertTampered(verify(), 10, "RECORD_OUT_OF_PLACE");
    }

    @Test
    void anInsertedRecordIsFoundWhereItWasInserted() throws Exception {
        List<Rec> records = SegmentSurgery.read(segment0);
        byte[] forged = new AuditEventJson().canonicalBytes(AuditCommandsTest.event(5000));
        records.add(60, new Rec(60, (byte) 1, forged));
        SegmentSurgery.write(segment0, 0, records);
        assertTampered(verify(), 60, "LEAF_HASH_MISMATCH");
    }

    @Test
    void aTruncatedLogIsFoundAtTheFirstMissingEntry() throws Exception {
        long cut = SegmentSurgery.offsetOf(segment0, 180);
        try (var channel = java.nio.channels.FileChannel.open(segment0, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(cut);
        }
        assertTampered(verify(), 180, "LOG_TRUNCATED");
    }

    @Test
    void aSegmentReplacedByAnOlderCopyIsFound() throws Exception {
        Path dir = tmp.resolve("rolled");
        Path older = tmp.resolve("older.seg");
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN, signer)
                .segmentMaxBytes(64 * 1024).checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < 40; i++) {
                log.append(AuditCommandsTest.event(i));
            }
            log.checkpoint();
            Files.copy(SegmentSurgery.segment(dir, 0), older);
            for (int i = 40; i < 600; i++) {
                log.append(AuditCommandsTest.event(i));
            }
        }
        Files.copy(older, SegmentSurgery.segment(dir, 0), StandardCopyOption.REPLACE_EXISTING);
        logDir = dir;
        assertTampered(verify(), 40, "ENTRIES_MISSING");
    }

    @Test
    void aCheckpointWhoseSignatureDoesNotMatchIsFound() throws Exception {
        Path checkpoint = logDir.resolve("checkpoint");
        String note = Files.readString(checkpoint);
        Files.writeString(checkpoint, note.replaceFirst("\n200\n", "\n199\n"));
        Cli result = verify();
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).contains("CHECKPOINT_BAD_SIGNATURE").contains("size 199");
    }

    @Test
    void checkpointsOrAnOriginThatAreNotTextAreFoundNotAFailureToRun() throws Exception {
        Files.write(logDir.resolve("checkpoints"), new byte[] {(byte) 0xff, '\n'}, StandardOpenOption.APPEND);
        Cli history = verify();
        assertThat(history.exitCode()).as(history.toString()).isEqualTo(1);
        assertThat(history.out()).contains("CHECKPOINT_MALFORMED").contains("not UTF-8 text");

        Files.write(logDir.resolve("origin"), new byte[] {(byte) 0xff, '\n'});
        Cli origin = Cli.run("audit", "verify", "--log-dir", logDir.toString(), "--trusted-key",
                signer.verifierKey().toString());
        assertThat(origin.exitCode()).as(origin.toString()).isEqualTo(1);
        assertThat(origin.out()).startsWith("TAMPERED: the log").contains("the origin file, the log's name, is not UTF-8");
        Cli noKey = Cli.run("audit", "verify", "--log-dir", logDir.toString());
        assertThat(noKey.exitCode()).as(noKey.toString()).isEqualTo(2);
        assertThat(noKey.err()).contains("origin file cannot be read").contains("--trusted-key");
    }

    @Test
    void aLogRewrittenAndResignedWithAnotherKeyIsFoundAgainstASavedCheckpoint() throws Exception {
        Path saved = tmp.resolve("saved.checkpoint");
        Files.writeString(saved, Cli.run("audit", "checkpoint", "--log-dir", logDir.toString()).out());
        // The attacker replaces the whole directory with a log of their own under the same origin,
        // signed with their own key, and puts that key where the operator's key was.
        Path attackerKey = tmp.resolve("stolen/audit.key");
        deleteRecursively(logDir);
        LocalEd25519CheckpointSigner attacker = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
        attacker.writeKeyFile(attackerKey);
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(logDir, ORIGIN, attacker).open()) {
            for (int i = 0; i < ENTRIES; i++) {
                log.append(AuditCommandsTest.event(i == 7 ? 7000 : i));
            }
        }
        // Trusting only the (replaced) local key, the rewritten log is self-consistent ...
        Cli selfConsistent = Cli.run("audit", "verify", "--log-dir", logDir.toString(), "--key", attackerKey.toString());
        assertThat(selfConsistent.exitCode()).as(selfConsistent.toString()).isZero();
        // ... but the checkpoint the auditor saved earlier gives it away.
        Cli result = Cli.run("audit", "verify", "--log-dir", logDir.toString(), "--key", attackerKey.toString(),
                "--checkpoint", saved.toString(), "--output", "json");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).contains("INCONSISTENT_WITH_SAVED_CHECKPOINT");
        // With the original key trusted, nothing in the new log is vouched for and the saved
        // checkpoint's tree is gone: the first bad index is the start of the rewritten range.
        JsonNode report = assertTampered(verify("--checkpoint", saved.toString()), 0, "INCONSISTENT_WITH_SAVED_CHECKPOINT");
        assertThat(report.toString()).contains("CHECKPOINT_UNTRUSTED");
    }

    @Test
    void aLogRewrittenWithTheSameStolenKeyIsFoundAgainstASavedCheckpoint() throws Exception {
        Path saved = tmp.resolve("saved.checkpoint");
        Files.writeString(saved, Cli.run("audit", "checkpoint", "--log-dir", logDir.toString()).out());
        deleteRecursively(logDir);
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(logDir, ORIGIN, signer).open()) {
            for (int i = 0; i < ENTRIES + 10; i++) {
                log.append(AuditCommandsTest.event(i == 150 ? 1500 : i));
            }
        }
        assertThat(verify().exitCode()).as("self-consistent without the saved checkpoint").isZero();
        assertTampered(verify("--checkpoint", saved.toString()), 0, "INCONSISTENT_WITH_SAVED_CHECKPOINT");
    }

    @Test
    void verifyWithASavedCheckpointOfAnIntactLogThatGrewPasses() throws Exception {
        Path saved = tmp.resolve("saved.checkpoint");
        Files.writeString(saved, Cli.run("audit", "checkpoint", "--log-dir", logDir.toString()).out());
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(logDir, ORIGIN, signer).open()) {
            log.append(AuditCommandsTest.event(ENTRIES));
        }
        Cli result = Cli.run("audit", "verify", "--log-dir", logDir.toString(), "--trusted-key",
                signer.verifierKey().toString(), "--checkpoint", saved.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("consistent with the saved checkpoint");
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
