package dev.portcullis.audit.storage;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import javax.sql.DataSource;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.verify.Finding;
import dev.portcullis.audit.verify.VerifiableLog;

/**
 * One log of the PostgreSQL store as the offline verifier sees it: its rows in index order (a gap
 * is reported as missing entries), the leaf hashes stored with them, and its signed checkpoints.
 * Read-only.
 */
public final class PostgresVerifiableLog implements VerifiableLog {

    private final DataSource dataSource;
    private final String schema;
    private final String logId;

    public PostgresVerifiableLog(DataSource dataSource, String schema, String logId) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource cannot be null");
        this.schema = PostgresAuditSchema.checkIdentifier(schema, "schema");
        this.logId = Objects.requireNonNull(logId, "logId cannot be null");
    }

    @Override
    public String origin() {
        return logId;
    }

    @Override
    public long claimedSize() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT count(*) FROM \"" + schema + "\".audit_entries WHERE log_id = ?")) {
            st.setString(1, logId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new AuditException("cannot read audit log '" + logId + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void stream(Visitor visitor) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // lets the driver fetch with a cursor instead of loading every row
            c.setReadOnly(true);
            try (PreparedStatement st = c.prepareStatement("SELECT idx, event, leaf_hash FROM \"" + schema
                    + "\".audit_entries WHERE log_id = ? ORDER BY idx")) {
                st.setFetchSize(5000);
                st.setString(1, logId);
                try (ResultSet rs = st.executeQuery()) {
                    long expected = 0;
                    while (rs.next()) {
                        long idx = rs.getLong(1);
                        if (idx != expected) {
                            visitor.problem(new Finding(Finding.Code.ENTRIES_MISSING, expected, "audit log '" + logId
                                    + "' has no row for index " + expected + " (the next row is index " + idx + ")"));
                            return;
                        }
                        visitor.entry(idx, rs.getBytes(2), rs.getBytes(3));
                        expected++;
                    }
                }
            }
            c.rollback();
        } catch (SQLException e) {
            throw new AuditException("cannot read audit log '" + logId + "': " + e.getMessage(), e);
        }
    }

    @Override
    public List<byte[]> checkpointNotes() {
        List<byte[]> notes = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT note FROM \"" + schema
                     + "\".audit_checkpoints WHERE log_id = ? ORDER BY tree_size")) {
            st.setString(1, logId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    // A text column: the database holds nothing but valid text there.
                    notes.add(rs.getString(1).getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (SQLException e) {
            throw new AuditException("cannot read the checkpoints of audit log '" + logId + "': " + e.getMessage(), e);
        }
        return notes;
    }
}
