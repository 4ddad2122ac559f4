package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.testing.TestEvents;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.ProofVerifier;
import dev.portcullis.audit.verify.VerificationReport;

/**
 * The PostgreSQL store against the stack's real PostgreSQL (Debian package, started by bin/test):
 * a database, a migration role and a writer role of this test class's own.
 */
class PostgresAuditLogIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static PostgresTestDatabase db;

    private final LocalEd25519CheckpointSigner signerA = LocalEd25519CheckpointSigner.generate("node-a", RANDOM);
    private final LocalEd25519CheckpointSigner signerB = LocalEd25519CheckpointSigner.generate("node-b", RANDOM);

    @BeforeAll
    static void createDatabaseAndSchema() throws Exception {
        db = PostgresTestDatabase.create("writer");
        assertThat(PostgresAuditSchema.migrate(db.as("owner"), PostgresAuditSchema.DEFAULT_SCHEMA, db.role("writer")))
                .isEqualTo(2);
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    /** Opens a log as the one writer role of this class (PostgresWriterRolesIT has several). */
    private static PostgresAuditLog open(String logId, LocalEd25519CheckpointSigner signer) {
        PostgresAuditSchema.allowWriter(db.as("owner"), PostgresAuditSchema.DEFAULT_SCHEMA, logId, db.role("writer"));
        return PostgresAuditLog.builder(db.as("writer"), logId, signer)
                .checkpointInterval(Duration.ofMillis(200)).open();
    }

    private static VerificationReport verify(String logId, LocalEd25519CheckpointSigner signer) {
        return new LogVerifier(new CheckpointVerifier(Set.of(signer.verifierKey())))
                .verify(new PostgresVerifiableLog(db.as("writer"), PostgresAuditSchema.DEFAULT_SCHEMA, logId), null, null);
    }

    @Test
    void twoInstancesWriteTheirOwnLogsAtOnceAndEachVerifiesFromTheDatabase() throws Exception {
        int threads = 16;
        int perThread = 150;
        try (PostgresAuditLog a = open("node-a", signerA); PostgresAuditLog b = open("node-b", signerB);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * 10_000L;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        a.append(TestEvents.decision(base + i));
                    }
                }));
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        b.append(TestEvents.decision(500_000 + base + i));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertThat(a.size()).isEqualTo((long) threads * perThread);
            assertThat(b.size()).isEqualTo((long) threads * perThread);
            Checkpoint cp = a.checkpoint().checkpoint();
            byte[] leaf = a.read(1234, 1).get(0).leafHash();
            ProofVerifier.verifyInclusion(leaf, a.inclusionProof(1234, cp.size()), cp.rootHash());
        }
        for (var log : List.of(new Object[] {"node-a", signerA}, new Object[] {"node-b", signerB})) {
            VerificationReport report = verify((String) log[0], (LocalEd25519CheckpointSigner) log[1]);
            assertThat(report.findings()).as("%s", log[0]).isEmpty();
            assertThat(report.entries()).isEqualTo((long) threads * perThread);
            assertThat(report.verifiedCheckpoint().size()).isEqualTo((long) threads * perThread);
        }
        // Each log is only vouched for by its own instance's key.
        VerificationReport crossed = verify("node-a", signerB);
        assertThat(crossed.findings()).extracting(Finding::code).contains(Finding.Code.NO_TRUSTED_CHECKPOINT);
    }

    @Test
    void theServiceRoleCanOnlyInsertAndSelect() throws Exception {
        try (PostgresAuditLog log = open("node-c", signerA)) {
            log.append(TestEvents.decision(1));
        }
        try (Connection c = db.as("writer").getConnection(); Statement st = c.createStatement()) {
            for (String sql : List.of(
                    "UPDATE portcullis_audit.audit_entries SET outcome = 'allow'",
                    "DELETE FROM portcullis_audit.audit_entries",
                    "TRUNCATE portcullis_audit.audit_entries",
                    "DELETE FROM portcullis_audit.audit_checkpoints",
                    "DROP TABLE portcullis_audit.audit_entries",
                    "ALTER TABLE portcullis_audit.audit_entries DISABLE TRIGGER ALL")) {
                assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo("42501"));
            }
        }
    }

    @Test
    void theTriggersRejectUpdateDeleteAndTruncateEvenForTheOwner() throws Exception {
        try (PostgresAuditLog log = open("node-d", signerA)) {
            log.append(TestEvents.decision(2));
        }
        try (Connection c = db.as("owner").getConnection(); Statement st = c.createStatement()) {
            for (String sql : List.of(
                    "UPDATE portcullis_audit.audit_entries SET outcome = 'deny' WHERE log_id = 'node-d'",
                    "DELETE FROM portcullis_audit.audit_entries WHERE log_id = 'node-d'",
                    "TRUNCATE portcullis_audit.audit_entries CASCADE",
                    "UPDATE portcullis_audit.audit_checkpoints SET note = '' WHERE log_id = 'node-d'",
                    "DELETE FROM portcullis_audit.audit_tree_nodes",
                    "DELETE FROM portcullis_audit.audit_logs WHERE log_id = 'node-d'")) {
                assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOf(SQLException.class)
                        .hasMessageContaining("append-only");
            }
        }
    }

    @Test
    void aRowChangedBehindTheTriggersIsFoundByVerify() throws Exception {
        try (PostgresAuditLog log = open("node-e", signerA)) {
            for (int i = 0; i < 40; i++) {
                log.append(TestEvents.decision(i));
            }
        }
        // A database administrator disables the triggers and rewrites one event.
        try (Connection c = db.as("owner").getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE portcullis_audit.audit_entries DISABLE TRIGGER audit_entries_append_only");
            st.execute("UPDATE portcullis_audit.audit_entries SET event = convert_to(replace(convert_from(event, 'UTF8'),"
                    + " '\"deny\"', '\"allow\"'), 'UTF8') WHERE log_id = 'node-e' AND idx = 12");
            st.execute("ALTER TABLE portcullis_audit.audit_entries ENABLE TRIGGER audit_entries_append_only");
        }
        VerificationReport report = verify("node-e", signerA);
        assertThat(report.intact()).isFalse();
        assertThat(report.firstBadIndex()).hasValue(12);
        assertThat(report.findings()).extracting(Finding::code).contains(Finding.Code.LEAF_HASH_MISMATCH, Finding.Code.ROOT_MISMATCH);
    }

    @Test
    void openWhenTheStoredTreeNoLongerMatchesTheLatestCheckpointThenRefuses() throws Exception {
        try (PostgresAuditLog log = open("node-g", signerA)) {
            for (int i = 0; i < 10; i++) {
                log.append(TestEvents.decision(i));
            }
        }
        try (Connection c = db.as("owner").getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE portcullis_audit.audit_entries DISABLE TRIGGER audit_entries_append_only");
            st.execute("UPDATE portcullis_audit.audit_entries SET leaf_hash = sha256(event) WHERE log_id = 'node-g' AND idx = 3");
            st.execute("ALTER TABLE portcullis_audit.audit_entries ENABLE TRIGGER audit_entries_append_only");
        }
        assertThatThrownBy(() -> open("node-g", signerA)).isInstanceOf(AuditException.class)
                .hasMessageContaining("refusing to open");
    }

    @Test
    void aCheckpointSomeoneElseStoredAtTheNextSizeIsRefusedNotKeptInsteadOfTheRealOne() throws Exception {
        try (PostgresAuditLog log = open("node-h", signerA)) {
            for (int i = 0; i < 5; i++) {
                log.append(TestEvents.decision(i));
            }
            log.checkpoint();
            log.checkpoint(); // the same checkpoint again: a no-op, not a conflict
            log.append(TestEvents.decision(5));
            // Anyone holding the log's writer role may insert: a note of its own at the size coming next.
            try (Connection c = db.as("writer").getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO portcullis_audit.audit_checkpoints (log_id, tree_size, note)"
                        + " VALUES ('node-h', 6, 'not the writer''s note')");
            }

            assertThatThrownBy(log::checkpoint).isInstanceOf(AuditException.class)
                    .hasMessageContaining("already holds a different checkpoint of size 6");
        }
    }

    @Test
    void aLogIdIsWrittenByOneInstanceAtATimeAndResumesAfterReopen() {
        byte[] root;
        try (PostgresAuditLog log = open("node-f", signerA)) {
            for (int i = 0; i < 300; i++) {
                log.append(TestEvents.decision(i));
            }
            root = log.rootHash(300);
            assertThatThrownBy(() -> open("node-f", signerA)).isInstanceOf(AuditException.class)
                    .hasMessageContaining("already being written by another instance");
        }
        try (PostgresAuditLog log = open("node-f", signerA)) {
            assertThat(log.size()).isEqualTo(300);
            assertThat(log.rootHash(300)).isEqualTo(root);
            log.append(TestEvents.decision(300));
            ProofVerifier.verifyConsistency(root, log.rootHash(301), log.consistencyProof(300, 301));
        }
        assertThat(verify("node-f", signerA).findings()).isEmpty();
    }

    @Test
    void closeReleasesTheLogIdSoTheNextInstanceOpensItAtOnce() {
        open("node-i", signerA).close(); // registers the writer
        for (int i = 0; i < 100; i++) {
            // Straight after close, as a restarted instance would: no time for the server to notice
            // the closed connection on its own.
            try (PostgresAuditLog log = PostgresAuditLog.builder(db.as("writer"), "node-i", signerA).open()) {
                log.append(TestEvents.decision(i));
            }
        }
        assertThat(verify("node-i", signerA).findings()).isEmpty();
    }
}
