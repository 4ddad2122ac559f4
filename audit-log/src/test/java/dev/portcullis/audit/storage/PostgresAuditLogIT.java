package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.testing.TestEvents;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.ProofVerifier;
import dev.portcullis.audit.verify.VerificationReport;
import dev.portcullis.testing.LocalStack;

/**
 * The PostgreSQL store against the stack's real PostgreSQL (Debian package, started by bin/test):
 * a database, a migration role and a service role of this test class's own.
 */
class PostgresAuditLogIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static LocalStack stack;
    private static String database;
    private static String owner;
    private static String writer;
    private static String ownerPassword;
    private static String writerPassword;

    private final LocalEd25519CheckpointSigner signerA = LocalEd25519CheckpointSigner.generate("node-a", RANDOM);
    private final LocalEd25519CheckpointSigner signerB = LocalEd25519CheckpointSigner.generate("node-b", RANDOM);

    @BeforeAll
    static void createDatabaseAndRoles() throws Exception {
        stack = LocalStack.require();
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        database = "audit_it_" + suffix;
        owner = "audit_owner_" + suffix;
        writer = "audit_writer_" + suffix;
        ownerPassword = HexFormat.of().formatHex(RANDOM.generateSeed(16));
        writerPassword = HexFormat.of().formatHex(RANDOM.generateSeed(16));
        try (Connection c = admin("postgres").getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + owner + " LOGIN PASSWORD '" + ownerPassword + "'");
            st.execute("CREATE ROLE " + writer + " LOGIN PASSWORD '" + writerPassword + "'");
            st.execute("CREATE DATABASE " + database + " OWNER " + owner);
            st.execute("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
            st.execute("GRANT CONNECT ON DATABASE " + database + " TO " + writer);
        }
        assertThat(PostgresAuditSchema.migrate(source(owner, ownerPassword), PostgresAuditSchema.DEFAULT_SCHEMA, writer))
                .isEqualTo(2);
    }

    @AfterAll
    static void dropDatabaseAndRoles() throws Exception {
        if (database == null) {
            return;
        }
        try (Connection c = admin("postgres").getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            st.execute("DROP ROLE IF EXISTS " + writer);
            st.execute("DROP ROLE IF EXISTS " + owner);
        }
    }

    private static PGSimpleDataSource admin(String db) {
        return dataSource(db, stack.get("postgres.admin-user"), stack.get("postgres.admin-password"));
    }

    static PGSimpleDataSource source(String user, String password) {
        return dataSource(database, user, password);
    }

    private static PGSimpleDataSource dataSource(String db, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {stack.get("postgres.host")});
        ds.setPortNumbers(new int[] {stack.port("postgres.port")});
        ds.setDatabaseName(db);
        ds.setUser(user);
        ds.setPassword(password);
        ds.setReWriteBatchedInserts(true);
        return ds;
    }

    /** Opens a log as the one writer role of this class (PostgresWriterRolesIT has several). */
    private static PostgresAuditLog open(String logId, LocalEd25519CheckpointSigner signer) {
        PostgresAuditSchema.allowWriter(source(owner, ownerPassword), PostgresAuditSchema.DEFAULT_SCHEMA, logId, writer);
        return PostgresAuditLog.builder(source(writer, writerPassword), logId, signer)
                .checkpointInterval(Duration.ofMillis(200)).open();
    }

    private static VerificationReport verify(String logId, LocalEd25519CheckpointSigner signer) {
        return new LogVerifier(new CheckpointVerifier(Set.of(signer.verifierKey())))
                .verify(new PostgresVerifiableLog(source(writer, writerPassword), PostgresAuditSchema.DEFAULT_SCHEMA, logId), null, null);
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
        try (Connection c = source(writer, writerPassword).getConnection(); Statement st = c.createStatement()) {
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
        try (Connection c = source(owner, ownerPassword).getConnection(); Statement st = c.createStatement()) {
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
        try (Connection c = source(owner, ownerPassword).getConnection(); Statement st = c.createStatement()) {
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
        try (Connection c = source(owner, ownerPassword).getConnection(); Statement st = c.createStatement()) {
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
            try (Connection c = source(writer, writerPassword).getConnection(); Statement st = c.createStatement()) {
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
}
