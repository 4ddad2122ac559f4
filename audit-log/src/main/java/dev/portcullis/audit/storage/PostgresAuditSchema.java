package dev.portcullis.audit.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.tree.Rfc6962;

/**
 * The schema of the PostgreSQL audit store, applied with Flyway as the migration role (the
 * schema's owner), and the registry of which role writes which log.
 *
 * <p>Each log (log id) has one writer role, registered by the owner with {@link #allowWriter}.
 * Writer roles may only {@code SELECT} and {@code INSERT}; row-level security lets a role insert
 * only rows of the logs it writes, while every role that may read the tables reads every row (so
 * verification sees everything); triggers reject {@code UPDATE}, {@code DELETE} and
 * {@code TRUNCATE} on every table. Migrations live in {@code classpath:db/portcullis-audit}.
 */
public final class PostgresAuditSchema {

    /** The default schema name. */
    public static final String DEFAULT_SCHEMA = "portcullis_audit";
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int MAX_LOG_ID_LENGTH = 255;

    private PostgresAuditSchema() {
    }

    /**
     * Creates or upgrades the schema.
     *
     * <p>{@code serviceRole} is granted {@code SELECT} and {@code INSERT} on the tables. When the
     * schema is upgraded from a release without writer roles, it also becomes the writer of every log
     * that already exists (it is the role that wrote them), so those logs open and append as before;
     * any other log id needs {@link #allowWriter} before an instance can open it.
     *
     * @param ownerDataSource connections as the migration role, which must be allowed to create the schema
     * @param schema          the schema name (lower-case identifier)
     * @param serviceRole     the role the service connected as before writer roles, or any writer role
     *                        of a new deployment (lower-case identifier); it must exist
     * @return the number of migrations applied
     */
    public static int migrate(DataSource ownerDataSource, String schema, String serviceRole) {
        return migrate(ownerDataSource, schema, serviceRole, MigrationVersion.LATEST);
    }

    /** Migrates up to {@code target} only: the upgrade tests build a schema as an older release left it. */
    static int migrate(DataSource ownerDataSource, String schema, String serviceRole, MigrationVersion target) {
        Objects.requireNonNull(ownerDataSource, "ownerDataSource cannot be null");
        checkIdentifier(schema, "schema");
        checkIdentifier(serviceRole, "serviceRole");
        try {
            return Flyway.configure()
                    .dataSource(ownerDataSource)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .locations("classpath:db/portcullis-audit")
                    .placeholders(Map.of("service_role", serviceRole))
                    .target(target)
                    .load()
                    .migrate()
                    .migrationsExecuted;
        } catch (FlywayException e) {
            throw new AuditException("migrating the audit schema '" + schema + "' failed: " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code writerRole} the one role that may write the log {@code logId}: registers it in
     * {@code audit_log_writers} and grants it what a writer needs (the schema, {@code SELECT} and
     * {@code INSERT} on the log tables, {@code SELECT} on {@code audit_log_writers}). Run it as the
     * schema's owner when provisioning an instance, before the instance first opens its log.
     *
     * <p>Idempotent: registering the same role again changes nothing but re-applies the grants. A
     * log id already written by another role is refused, not taken over: handing a log to a new
     * role (the old one retired) is the owner's decision, made by updating its row directly.
     *
     * @param ownerDataSource connections as the schema's owner
     * @param schema          the schema name (lower-case identifier)
     * @param logId           the instance's log id (its checkpoint origin)
     * @param writerRole      the role the instance connects as (lower-case identifier); it must exist and
     *                        must be bound by row-level security (not a superuser, not BYPASSRLS, not the
     *                        tables' owner or a member of it)
     * @return {@code true} if the role was registered now, {@code false} if it already was the log's writer
     * @throws IllegalArgumentException naming a bad argument
     * @throws AuditException if the log already has another writer, the role cannot be a writer, or the
     *                        database refuses
     */
    public static boolean allowWriter(DataSource ownerDataSource, String schema, String logId, String writerRole) {
        Objects.requireNonNull(ownerDataSource, "ownerDataSource cannot be null");
        checkIdentifier(schema, "schema");
        checkLogId(logId);
        checkIdentifier(writerRole, "writerRole");
        try (Connection c = ownerDataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean registered = register(c, schema, logId, writerRole);
                c.commit();
                return registered;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table
                throw new AuditException("the audit schema '" + schema + "' has no table of writer roles: migrate it"
                        + " first (PostgresAuditSchema.migrate)", e);
            }
            throw new AuditException("making role '" + writerRole + "' the writer of audit log '" + logId
                    + "' failed: " + e.getMessage(), e);
        }
    }

    private static boolean register(Connection c, String schema, String logId, String role) throws SQLException {
        requireBoundByRowLevelSecurity(c, schema, role);
        String writers = "\"" + schema + "\".audit_log_writers";
        boolean inserted;
        try (PreparedStatement st = c.prepareStatement("INSERT INTO " + writers + " (log_id, writer_role) VALUES (?, ?)"
                + " ON CONFLICT (log_id) DO NOTHING")) {
            st.setString(1, logId);
            st.setString(2, role);
            inserted = st.executeUpdate() == 1;
        }
        if (!inserted) {
            String current = writerOf(c, writers, logId);
            if (!role.equals(current)) {
                throw new AuditException("audit log '" + logId + "' is already written by role '" + current
                        + "'; refusing to make '" + role + "' its writer too (a log has one writer role). Give the"
                        + " instance a log id of its own, or, to hand the log over to a new role, update its row in "
                        + writers + " as the owner while no instance has the log open");
            }
        }
        // Identifiers cannot be bound parameters: schema and role matched IDENTIFIER, and are quoted.
        String s = "\"" + schema + "\".";
        String grantee = "\"" + role + "\"";
        try (Statement st = c.createStatement()) {
            st.execute("GRANT USAGE ON SCHEMA \"" + schema + "\" TO " + grantee);
            st.execute("GRANT SELECT, INSERT ON " + s + "audit_logs, " + s + "audit_entries, " + s + "audit_tree_nodes, "
                    + s + "audit_checkpoints TO " + grantee);
            st.execute("GRANT SELECT ON " + writers + " TO " + grantee);
        }
        return inserted;
    }

    private static String writerOf(Connection c, String writers, String logId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT writer_role FROM " + writers + " WHERE log_id = ?")) {
            st.setString(1, logId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Refuses a role that row-level security would not bind: with it as a writer, the policies that
     * keep each role to its own logs would not hold for it.
     */
    private static void requireBoundByRowLevelSecurity(Connection c, String schema, String role) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT r.rolsuper, r.rolbypassrls,"
                + " pg_has_role(r.oid, t.relowner, 'MEMBER') FROM pg_roles r, pg_class t"
                + " WHERE r.rolname = ? AND t.oid = ?::regclass")) {
            st.setString(1, role);
            st.setString(2, "\"" + schema + "\".audit_entries");
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new AuditException("role '" + role + "' does not exist: create it first (CREATE ROLE "
                            + role + " LOGIN PASSWORD '...')");
                }
                String why = rs.getBoolean(1) ? "is a superuser"
                        : rs.getBoolean(2) ? "has BYPASSRLS"
                        : rs.getBoolean(3) ? "owns the audit tables of schema '" + schema + "' (or is a member of their owner)"
                        : null;
                if (why != null) {
                    throw new AuditException("role '" + role + "' " + why + ": row-level security does not bind it,"
                            + " so as a writer it could insert rows of every log; give the instance a role of its own"
                            + " that is none of these");
                }
            }
        }
    }

    static String checkIdentifier(String value, String what) {
        Objects.requireNonNull(value, what + " cannot be null");
        if (!IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a lower-case SQL identifier ([a-z_][a-z0-9_]*), was '" + value + "'");
        }
        return value;
    }

    /** A log id is the log's checkpoint origin, and fits the tables' log_id columns. */
    static String checkLogId(String logId) {
        Objects.requireNonNull(logId, "logId cannot be null");
        try {
            new Checkpoint(logId, 0, Rfc6962.emptyRoot());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log id '" + logId + "' cannot be a checkpoint origin: " + e.getMessage());
        }
        if (logId.length() > MAX_LOG_ID_LENGTH) {
            throw new IllegalArgumentException("log id is at most " + MAX_LOG_ID_LENGTH + " characters");
        }
        return logId;
    }
}
