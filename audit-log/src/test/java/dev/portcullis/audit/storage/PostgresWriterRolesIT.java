package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.CheckpointVerifier;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.testing.TestEvents;
import dev.portcullis.audit.verify.LogVerifier;
import dev.portcullis.audit.verify.VerificationReport;

/**
 * One writer role per log, enforced by PostgreSQL's row-level security, against the stack's real
 * PostgreSQL: writer roles {@code a} and {@code b}; {@code service}, the role the schema was migrated
 * for (it holds the table grants but writes no log here); {@code reader}, an auditor granted
 * nothing but SELECT.
 */
class PostgresWriterRolesIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SCHEMA = PostgresAuditSchema.DEFAULT_SCHEMA;
    private static final String RLS_REFUSED = "42501"; // insufficient_privilege, as PostgreSQL reports a policy violation

    private static PostgresTestDatabase db;

    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate("node", RANDOM);

    @BeforeAll
    static void createDatabaseAndSchema() throws Exception {
        db = PostgresTestDatabase.create("service", "a", "b", "reader", "bypass");
        assertThat(PostgresAuditSchema.migrate(db.as("owner"), SCHEMA, db.role("service"))).isEqualTo(2);
        try (Connection c = db.as("owner").getConnection(); Statement st = c.createStatement()) {
            // An auditor, as docs/audit-log.md sets one up: read only, no writer of any log.
            st.execute("GRANT USAGE ON SCHEMA " + SCHEMA + " TO " + db.role("reader"));
            st.execute("GRANT SELECT ON " + SCHEMA + ".audit_logs, " + SCHEMA + ".audit_entries, " + SCHEMA
                    + ".audit_tree_nodes, " + SCHEMA + ".audit_checkpoints TO " + db.role("reader"));
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    private PostgresAuditLog open(String role, String logId) {
        return open(role, SCHEMA, logId);
    }

    private PostgresAuditLog open(String role, String schema, String logId) {
        return PostgresAuditLog.builder(db.as(role), logId, signer).schema(schema)
                .checkpointInterval(Duration.ofMillis(200)).open();
    }

    private static boolean allowWriter(String logId, String role) {
        return PostgresAuditSchema.allowWriter(db.as("owner"), SCHEMA, logId, db.role(role));
    }

    private VerificationReport verifyAs(String role, String schema, String logId) {
        return new LogVerifier(new CheckpointVerifier(Set.of(signer.verifierKey())))
                .verify(new PostgresVerifiableLog(db.as(role), schema, logId), null, null);
    }

    /** Runs one statement as {@code role} and returns what PostgreSQL refused it with. */
    private static SQLException refusal(String role, String sql) {
        try (Connection c = db.as(role).getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("PostgreSQL let role '" + role + "' run: " + sql);
    }

    private static long count(String schema, String table, String logId) throws SQLException {
        try (Connection c = db.asSuperuser().getConnection();
             PreparedStatement st = c.prepareStatement("SELECT count(*) FROM " + schema + "." + table + " WHERE log_id = ?")) {
            st.setString(1, logId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String entryRow(String logId, long idx) {
        return entryRow(SCHEMA, logId, idx);
    }

    private static String entryRow(String schema, String logId, long idx) {
        return "INSERT INTO " + schema + ".audit_entries (log_id, idx, event_time, event_type, outcome, leaf_hash, event)"
                + " VALUES ('" + logId + "', " + idx + ", now(), 'authz.decision', 'allow', sha256('x'), 'x')";
    }

    @Test
    void aWriterRoleCannotInsertAnyRowOfAnotherRolesLogButStillReadsAndVerifiesIt() throws Exception {
        allowWriter("b-1", "b");
        allowWriter("b-1-spare", "b"); // b's, never opened: no audit_logs row yet
        try (PostgresAuditLog log = open("b", "b-1")) {
            for (int i = 0; i < 300; i++) { // 300 entries: one stored tile at level 8
                log.append(TestEvents.decision(i));
            }
            log.checkpoint();
        }
        long nodes = count(SCHEMA, "audit_tree_nodes", "b-1");
        long checkpoints = count(SCHEMA, "audit_checkpoints", "b-1");
        assertThat(nodes).isPositive();

        for (String[] attempt : List.of(
                new String[] {"audit_logs", "INSERT INTO " + SCHEMA + ".audit_logs (log_id) VALUES ('b-1-spare')"},
                new String[] {"audit_entries", entryRow("b-1", 300)},
                new String[] {"audit_tree_nodes", "INSERT INTO " + SCHEMA + ".audit_tree_nodes (log_id, level, idx, hash)"
                        + " VALUES ('b-1', 8, 1, sha256('x'))"},
                new String[] {"audit_checkpoints", "INSERT INTO " + SCHEMA + ".audit_checkpoints (log_id, tree_size, note)"
                        + " VALUES ('b-1', 301, 'not b''s note')"})) {
            SQLException refused = refusal("a", attempt[1]);
            assertThat(refused.getSQLState()).as(attempt[1]).isEqualTo(RLS_REFUSED);
            assertThat(refused.getMessage()).as(attempt[1])
                    .contains("new row violates row-level security policy for table \"" + attempt[0] + "\"");
        }

        assertThat(count(SCHEMA, "audit_logs", "b-1-spare")).isZero();
        assertThat(count(SCHEMA, "audit_entries", "b-1")).isEqualTo(300);
        assertThat(count(SCHEMA, "audit_tree_nodes", "b-1")).isEqualTo(nodes);
        assertThat(count(SCHEMA, "audit_checkpoints", "b-1")).isEqualTo(checkpoints);
        // Reading is not restricted: another writer and an auditor with only SELECT both verify b's log.
        for (String role : List.of("a", "reader")) {
            VerificationReport report = verifyAs(role, SCHEMA, "b-1");
            assertThat(report.findings()).as(role).isEmpty();
            assertThat(report.entries()).as(role).isEqualTo(300);
            assertThat(report.verifiedCheckpoint().size()).as(role).isEqualTo(300);
        }
    }

    @Test
    void anEntryInsertedAtAnotherLogsNextIndexIsRefusedAndThatLogKeepsWriting() throws Exception {
        allowWriter("a-2", "a");
        allowWriter("b-2", "b");
        try (PostgresAuditLog log = open("b", "b-2")) {
            for (int i = 0; i < 10; i++) {
                log.append(TestEvents.decision(i));
            }
            // The attack of the old residual: a, another instance's role, takes b's next index.
            SQLException refused = refusal("a", entryRow("b-2", log.size()));
            assertThat(refused.getSQLState()).isEqualTo(RLS_REFUSED);
            assertThat(refused.getMessage()).contains("row-level security policy for table \"audit_entries\"");

            // Before, b's next insert hit a's row and b's log failed closed; now it just appends.
            for (int i = 10; i < 20; i++) {
                log.append(TestEvents.decision(i));
            }
            assertThat(log.size()).isEqualTo(20);
        }
        try (PostgresAuditLog log = open("b", "b-2")) {
            assertThat(log.size()).isEqualTo(20);
            log.append(TestEvents.decision(20));
        }
        VerificationReport report = verifyAs("reader", SCHEMA, "b-2");
        assertThat(report.findings()).isEmpty();
        assertThat(report.entries()).isEqualTo(21);
    }

    @Test
    void openAsARoleThatIsNotTheLogsWriterIsRefusedNamingTheLogTheRoleAndWhatToRunAndWritesNothing() throws Exception {
        allowWriter("a-3", "a");
        allowWriter("b-3", "b");
        String service = db.role("service");
        // The role the schema was migrated for: it has the table grants, but no log of its own here.
        assertThatThrownBy(() -> open("service", "unregistered-3")).isInstanceOf(AuditException.class)
                .hasMessageContaining("audit log 'unregistered-3' has no writer role, so role '" + service + "'")
                .hasMessageContaining("PostgresAuditSchema.allowWriter(ownerDataSource, \"" + SCHEMA
                        + "\", \"unregistered-3\", \"" + service + "\")");
        // Another log's writer.
        assertThatThrownBy(() -> open("a", "b-3")).isInstanceOf(AuditException.class)
                .hasMessageContaining("audit log 'b-3' is written by role '" + db.role("b") + "', not by '"
                        + db.role("a") + "'");
        // A role that was never made a writer of any log cannot even read who writes which.
        assertThatThrownBy(() -> open("reader", "unregistered-3")).isInstanceOf(AuditException.class)
                .hasMessageContaining("role '" + db.role("reader") + "' may not read")
                .hasMessageContaining("cannot open audit log 'unregistered-3'")
                .hasMessageContaining("PostgresAuditSchema.allowWriter(ownerDataSource, \"" + SCHEMA
                        + "\", \"unregistered-3\", \"" + db.role("reader") + "\")");

        assertThat(count(SCHEMA, "audit_logs", "unregistered-3")).isZero();
        assertThat(count(SCHEMA, "audit_logs", "b-3")).isZero();
        // The refused opens took no lock either: b opens its log.
        try (PostgresAuditLog log = open("b", "b-3")) {
            log.append(TestEvents.decision(1));
        }
    }

    @Test
    void allowWriterIsIdempotentAndRefusesToGiveALogASecondWriter() throws Exception {
        assertThat(allowWriter("a-4", "a")).isTrue();
        assertThat(allowWriter("a-4", "a")).isFalse();

        assertThatThrownBy(() -> allowWriter("a-4", "b")).isInstanceOf(AuditException.class)
                .hasMessageContaining("audit log 'a-4' is already written by role '" + db.role("a") + "'")
                .hasMessageContaining("refusing to make '" + db.role("b") + "' its writer too");

        assertThatThrownBy(() -> open("b", "a-4")).isInstanceOf(AuditException.class)
                .hasMessageContaining("is written by role '" + db.role("a") + "'");
        try (PostgresAuditLog log = open("a", "a-4")) {
            log.append(TestEvents.decision(1));
        }
    }

    @Test
    void allowWriterRefusesARoleThatRowLevelSecurityDoesNotBind() throws Exception {
        try (Connection c = db.asSuperuser().getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + db.role("bypass") + " BYPASSRLS");
        }
        DataSource owner = db.as("owner");
        assertThatThrownBy(() -> PostgresAuditSchema.allowWriter(owner, SCHEMA, "x-5", db.role("owner")))
                .isInstanceOf(AuditException.class).hasMessageContaining("owns the audit tables")
                .hasMessageContaining("row-level security does not bind it");
        assertThatThrownBy(() -> PostgresAuditSchema.allowWriter(owner, SCHEMA, "x-5", db.superuser()))
                .isInstanceOf(AuditException.class).hasMessageContaining("is a superuser");
        assertThatThrownBy(() -> PostgresAuditSchema.allowWriter(owner, SCHEMA, "x-5", db.role("bypass")))
                .isInstanceOf(AuditException.class).hasMessageContaining("has BYPASSRLS");
        assertThatThrownBy(() -> PostgresAuditSchema.allowWriter(owner, SCHEMA, "x-5", "no_such_role"))
                .isInstanceOf(AuditException.class).hasMessageContaining("role 'no_such_role' does not exist");
        assertThatThrownBy(() -> PostgresAuditSchema.allowWriter(owner, SCHEMA, "x-5", "Bad-Role"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writerRole must be a lower-case SQL identifier");

        assertThat(count(SCHEMA, "audit_log_writers", "x-5")).isZero();
    }

    @Test
    void aLogWrittenBeforeWriterRolesStillOpensAndAppendsAsItsRoleAfterTheUpgradeAndCanBeHandedOver() throws Exception {
        String schema = "audit_upgrade";
        DataSource owner = db.as("owner");
        String service = db.role("service");
        // As the previous release left it: V1 only, and a log the shared service role wrote. This
        // release no longer opens a V1 schema, so the rows are written in a scratch schema and the
        // service role inserts them, as the previous release did (V2 changes no row format).
        assertThat(PostgresAuditSchema.migrate(owner, schema, service, MigrationVersion.fromVersion("1"))).isEqualTo(1);
        String scratch = "audit_upgrade_scratch";
        PostgresAuditSchema.migrate(owner, scratch, service);
        PostgresAuditSchema.allowWriter(owner, scratch, "old-6", service);
        byte[] root;
        try (PostgresAuditLog log = open("service", scratch, "old-6")) {
            for (int i = 0; i < 300; i++) {
                log.append(TestEvents.decision(i));
            }
            root = log.rootHash(300);
        }
        try (Connection c = db.as("service").getConnection(); Statement st = c.createStatement()) {
            for (String table : List.of("audit_logs", "audit_entries", "audit_tree_nodes", "audit_checkpoints")) {
                st.execute("INSERT INTO " + schema + "." + table + " SELECT * FROM " + scratch + "." + table
                        + " WHERE log_id = 'old-6'");
            }
        }
        assertThat(count(schema, "audit_tree_nodes", "old-6")).isPositive();
        assertThat(count(schema, "audit_checkpoints", "old-6")).isPositive();

        // Not migrated yet: refused at open, with what to run.
        assertThatThrownBy(() -> open("service", schema, "old-6")).isInstanceOf(AuditException.class)
                .hasMessageContaining("the audit schema '" + schema + "' has no table of writer roles")
                .hasMessageContaining("run PostgresAuditSchema.migrate");

        assertThat(PostgresAuditSchema.migrate(owner, schema, service)).isEqualTo(1);

        try (PostgresAuditLog log = open("service", schema, "old-6")) {
            assertThat(log.size()).isEqualTo(300);
            assertThat(log.rootHash(300)).isEqualTo(root);
            log.append(TestEvents.decision(300));
        }
        // Since the upgrade, an instance added with a role of its own cannot write the old log.
        PostgresAuditSchema.allowWriter(owner, schema, "new-6", db.role("a"));
        SQLException refused = refusal("a", entryRow(schema, "old-6", 301));
        assertThat(refused.getSQLState()).isEqualTo(RLS_REFUSED);
        assertThat(refused.getMessage()).contains("row-level security policy for table \"audit_entries\"");

        // The operator's step that isolates the old instance too: hand its log to a role of its own.
        try (Connection c = owner.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE " + schema + ".audit_log_writers SET writer_role = '" + db.role("b") + "' WHERE log_id = 'old-6'");
        }
        assertThat(PostgresAuditSchema.allowWriter(owner, schema, "old-6", db.role("b"))).isFalse(); // only the grants
        try (PostgresAuditLog log = open("b", schema, "old-6")) {
            assertThat(log.size()).isEqualTo(301);
            log.append(TestEvents.decision(301));
        }
        assertThat(refusal("service", entryRow(schema, "old-6", 302)).getMessage())
                .contains("row-level security policy for table \"audit_entries\"");
        assertThatThrownBy(() -> open("service", schema, "old-6")).isInstanceOf(AuditException.class)
                .hasMessageContaining("is written by role '" + db.role("b") + "'");

        VerificationReport report = verifyAs("service", schema, "old-6");
        assertThat(report.findings()).isEmpty();
        assertThat(report.entries()).isEqualTo(302);
    }
}
