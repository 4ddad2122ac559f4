package dev.portcullis.audit.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import javax.sql.DataSource;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.DurabilityMode;
import dev.portcullis.audit.EntryCursor;
import dev.portcullis.audit.EventFilter;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.internal.CheckpointKeeper;
import dev.portcullis.audit.storage.internal.FollowingCursor;
import dev.portcullis.audit.storage.internal.GroupCommitQueue;
import dev.portcullis.audit.storage.internal.GroupCommitWriter;
import dev.portcullis.audit.storage.internal.LogHead;
import dev.portcullis.audit.storage.internal.LogProofs;
import dev.portcullis.audit.storage.internal.PreparedEvent;
import dev.portcullis.audit.tree.CompactRange;
import dev.portcullis.audit.tree.MerkleMath;
import dev.portcullis.audit.tree.NodeSource;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.ConsistencyProof;
import dev.portcullis.audit.verify.Hashes;
import dev.portcullis.audit.verify.InclusionProof;

/**
 * The audit log of one service instance in a shared PostgreSQL database: each instance writes its
 * own log (its own log id, which is the checkpoint origin) into the same tables, connected as the
 * log's writer role, which can only SELECT, and INSERT rows of the logs it writes (row-level
 * security; see {@link PostgresAuditSchema#allowWriter}). Open refuses a role that is not the log's
 * writer.
 *
 * <p>Durability contract ({@link DurabilityMode#DURABLE}): {@link #append} MUST NOT return before
 * the transaction holding its event committed; the server must run with
 * {@code synchronous_commit=on} (checked at open). One writer thread commits every waiting append
 * in one transaction (group commit). A failed transaction fails its appends and the log fails
 * closed until reopened. A log id is written by one instance at a time (a session advisory lock,
 * taken at open). Readers get a connection from the data source per call: give it a pool.
 */
public final class PostgresAuditLog implements AuditLog {

    private static final System.Logger LOG = System.getLogger(PostgresAuditLog.class.getName());
    private static final int TILE = 8;

    /** A checkpoint is signed this often while entries are added (default 1 s). */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    /** Appends waiting for the writer beyond this many block their callers (default 65,536). */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
    /** The most events one transaction holds (default 5,000). */
    public static final int DEFAULT_MAX_BATCH = 5_000;

    private final DataSource dataSource;
    private final String schema;
    private final String logId;
    private final DurabilityMode durability;
    private final AuditEventJson json;
    private final Connection writerConnection;
    private final GroupCommitWriter writer;
    private final CheckpointKeeper checkpoints;
    private final LogHead head;
    private final LogProofs proofs;
    private final String entries;
    private final String nodes;
    private final String checkpointTable;
    private final String writers;

    /** The writer's tree: the published head's, plus what the transaction being written adds. */
    private CompactRange range;

    private PostgresAuditLog(Builder b) throws SQLException {
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.logId = b.logId;
        this.durability = b.durability;
        this.json = new AuditEventJson(b.maxEventBytes);
        this.writer = new GroupCommitWriter(logId, b.queueCapacity, -1, b.maxBatch, new Transactions());
        this.entries = "\"" + schema + "\".audit_entries";
        this.nodes = "\"" + schema + "\".audit_tree_nodes";
        this.checkpointTable = "\"" + schema + "\".audit_checkpoints";
        this.writers = "\"" + schema + "\".audit_log_writers";
        this.checkpoints = new CheckpointKeeper(logId, b.signer, this::publishedTree, () -> { }, this::storeCheckpoint);
        this.writerConnection = dataSource.getConnection();
        try {
            this.range = open();
        } catch (SQLException | RuntimeException e) {
            writerConnection.close();
            throw e;
        }
        this.head = new LogHead(range);
        this.proofs = new LogProofs(head::size, this::withNodes);
        writer.start("audit-pg-writer " + logId);
        checkpoints.schedule("audit-pg-checkpointer " + logId, b.checkpointInterval, writer::hasFailed, LOG);
    }

    public static Builder builder(DataSource dataSource, String logId, CheckpointSigner signer) {
        return new Builder(dataSource, logId, signer);
    }

    /** What a checkpoint signed now covers (read by the checkpoint keeper, never before the head is set). */
    private CompactRange publishedTree() {
        return head.tree();
    }

    /** Checks the server, takes the log id's lock, and resumes the tree and its latest checkpoint. */
    private CompactRange open() throws SQLException {
        Connection c = writerConnection;
        c.setAutoCommit(true);
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            String mode = rs.getString(1);
            if (durability == DurabilityMode.DURABLE && !("on".equals(mode) || "remote_write".equals(mode)
                    || "remote_apply".equals(mode))) {
                throw new AuditException("PostgreSQL runs with synchronous_commit=" + mode
                        + ": a committed audit event could be lost; set synchronous_commit=on or use DurabilityMode.ASYNC");
            }
        }
        requireWriterRole(c);
        try (PreparedStatement st = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext('portcullis.audit'), hashtext(?))")) {
            st.setString(1, logId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new AuditException("audit log '" + logId + "' is already being written by another instance"
                            + " (or a log whose id hashes alike); give each instance its own log id");
                }
            }
        }
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO \"" + schema + "\".audit_logs (log_id) VALUES (?) ON CONFLICT (log_id) DO NOTHING")) {
            st.setString(1, logId);
            st.executeUpdate();
        }
        long size;
        try (PreparedStatement st = c.prepareStatement("SELECT coalesce(max(idx) + 1, 0) FROM " + entries + " WHERE log_id = ?")) {
            st.setString(1, logId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                size = rs.getLong(1);
            }
        }
        CompactRange resumed = CompactRange.of(size, new DbNodes(c));
        checkpoints.restore(loadLatestCheckpoint(c, size));
        c.setAutoCommit(false);
        return resumed;
    }

    /**
     * Refuses to open unless the role this instance connects as is the log's writer role (see
     * {@link PostgresAuditSchema#allowWriter}). Row-level security would refuse the first insert
     * anyway, but that would be later, with the service already up and the log failing closed;
     * here the operator learns at start-up which log, which role, and what to run.
     */
    private void requireWriterRole(Connection c) throws SQLException {
        String role;
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            role = rs.getString(1);
        }
        String allow = "as the owner of schema '" + schema + "' run PostgresAuditSchema.allowWriter(ownerDataSource, \""
                + schema + "\", \"" + logId + "\", \"" + role + "\") (docs/audit-log.md shows the SQL)";
        String writerRole;
        boolean bound;
        try (PreparedStatement st = c.prepareStatement("SELECT (SELECT writer_role FROM " + writers + " WHERE log_id = ?),"
                + " row_security_active(?::regclass)")) {
            st.setString(1, logId);
            st.setString(2, entries);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                writerRole = rs.getString(1);
                bound = rs.getBoolean(2);
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table
                throw new AuditException("the audit schema '" + schema + "' has no table of writer roles: it is missing,"
                        + " or was migrated by an older release; run PostgresAuditSchema.migrate as its owner (which"
                        + " keeps every existing log writable by the role that wrote it)", e);
            }
            if ("42501".equals(e.getSQLState())) { // insufficient_privilege: the role was never made a writer here
                throw new AuditException("role '" + role + "' may not read " + writers + ", so it writes no audit log"
                        + " in schema '" + schema + "' and cannot open audit log '" + logId + "'; " + allow, e);
            }
            throw e;
        }
        if (writerRole == null) {
            throw new AuditException("audit log '" + logId + "' has no writer role, so role '" + role + "' (the role"
                    + " this instance connects as) may not write it; " + allow);
        }
        if (!writerRole.equals(role)) {
            throw new AuditException("audit log '" + logId + "' is written by role '" + writerRole + "', not by '"
                    + role + "' (the role this instance connects as): connect as '" + writerRole + "', or give this"
                    + " instance a log id of its own and make '" + role + "' its writer with PostgresAuditSchema.allowWriter");
        }
        if (!bound) {
            LOG.log(System.Logger.Level.WARNING, "audit log " + logId + ": role '" + role + "' is not bound by"
                    + " row-level security (a superuser, a BYPASSRLS role or the owner of the tables): it could insert"
                    + " rows of every log in schema '" + schema + "'; give this instance a writer role of its own");
        }
    }

    private SignedCheckpoint loadLatestCheckpoint(Connection c, long size) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT note FROM " + checkpointTable + " WHERE log_id = ? ORDER BY tree_size DESC LIMIT 1")) {
            st.setString(1, logId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                SignedCheckpoint signed = SignedCheckpoint.parse(rs.getString(1));
                Checkpoint cp = signed.checkpoint();
                if (cp.size() > size) {
                    throw new AuditException("audit log '" + logId + "' holds " + size + " entries but its latest signed"
                            + " checkpoint covers " + cp.size() + ": entries are missing; refusing to open");
                }
                byte[] root = MerkleMath.rootHash(cp.size(), new DbNodes(c));
                if (!java.security.MessageDigest.isEqual(root, cp.rootHash())) {
                    throw new AuditException("the first " + cp.size() + " entries of audit log '" + logId + "' hash to "
                            + Hashes.hex(root) + " but its latest signed checkpoint says " + Hashes.hex(cp.rootHash())
                            + "; refusing to open");
                }
                return signed;
            }
        }
    }

    /** Perfect subtree hashes from the leaf hashes and the stored tiles, over one connection. */
    private final class DbNodes implements NodeSource {
        private final Connection c;

        DbNodes(Connection c) {
            this.c = c;
        }

        @Override
        public byte[] node(int level, long index) {
            int base = level - level % TILE;
            int height = level - base;
            long first = index << height;
            int count = 1 << height;
            String sql = base == 0
                    ? "SELECT leaf_hash FROM " + entries + " WHERE log_id = ? AND idx >= ? AND idx < ? ORDER BY idx"
                    : "SELECT hash FROM " + nodes + " WHERE log_id = ? AND level = " + base + " AND idx >= ? AND idx < ? ORDER BY idx";
            byte[][] row = new byte[count][];
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setString(1, logId);
                st.setLong(2, first);
                st.setLong(3, first + count);
                try (ResultSet rs = st.executeQuery()) {
                    int n = 0;
                    while (rs.next() && n < count) {
                        row[n++] = rs.getBytes(1);
                    }
                    if (n != count) {
                        throw new AuditException("audit log '" + logId + "' is missing tree data at level " + base
                                + " from " + first + "; run verify");
                    }
                }
            } catch (SQLException e) {
                throw new AuditException("cannot read the tree of audit log '" + logId + "': " + e.getMessage(), e);
            }
            for (int width = count; width > 1; width /= 2) {
                for (int i = 0; i < width / 2; i++) {
                    row[i] = Rfc6962.nodeHash(row[2 * i], row[2 * i + 1]);
                }
            }
            return row[0];
        }
    }

    // --- appends ----------------------------------------------------------------------------------

    @Override
    public void append(AuditEvent event) {
        Objects.requireNonNull(event, "event cannot be null");
        submit(List.of(event));
    }

    @Override
    public void appendAll(List<AuditEvent> events) {
        Objects.requireNonNull(events, "events cannot be null");
        if (!events.isEmpty()) {
            submit(events);
        }
    }

    private void submit(List<AuditEvent> events) {
        List<PreparedEvent> prepared = PreparedEvent.prepareAll(json, events);
        GroupCommitQueue.Request request = writer.push(prepared, durability == DurabilityMode.DURABLE);
        if (durability == DurabilityMode.DURABLE) {
            request.await();
        }
    }

    /**
     * The writer thread's side: one transaction per group of appends (at most {@code maxBatch}
     * events, cut by the writer); a failed one is rolled back and closes the log.
     */
    private final class Transactions implements GroupCommitWriter.Sink {
        @Override
        public void write(List<GroupCommitQueue.Request> group) throws SQLException {
            commit(group);
        }

        @Override
        public AuditException failed(Exception cause) {
            try {
                writerConnection.rollback();
            } catch (SQLException ignored) {
                // The connection may be gone; the log is failed either way.
            }
            return new AuditException("writing audit log '" + logId + "' to PostgreSQL failed: " + cause.getMessage(),
                    cause);
        }
    }

    private void commit(List<GroupCommitQueue.Request> work) throws SQLException {
        if (work.stream().allMatch(r -> r.events().isEmpty())) {
            return; // nothing to insert: no transaction
        }
        CompactRange working = range.copy();
        long index = head.size();
        List<long[]> nodeKeys = new ArrayList<>();
        List<byte[]> nodeHashes = new ArrayList<>();
        try (PreparedStatement insert = writerConnection.prepareStatement("INSERT INTO " + entries
                + " (log_id, idx, event_time, event_type, subject, outcome, leaf_hash, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (GroupCommitQueue.Request b : work) {
                for (PreparedEvent p : b.events()) {
                    insert.setString(1, logId);
                    insert.setLong(2, index++);
                    insert.setObject(3, OffsetDateTime.ofInstant(Instant.ofEpochMilli(p.timeMillis()), ZoneOffset.UTC));
                    insert.setString(4, p.type());
                    insert.setString(5, p.subject());
                    insert.setString(6, p.outcome());
                    insert.setBytes(7, p.leafHash());
                    insert.setBytes(8, p.canonical());
                    insert.addBatch();
                    working.append(p.leafHash(), (level, nodeIndex, hash) -> {
                        if (level > 0 && level % TILE == 0) {
                            nodeKeys.add(new long[] {level, nodeIndex});
                            nodeHashes.add(hash);
                        }
                    });
                }
            }
            insert.executeBatch();
        }
        if (!nodeKeys.isEmpty()) {
            try (PreparedStatement insert = writerConnection.prepareStatement(
                    "INSERT INTO " + nodes + " (log_id, level, idx, hash) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < nodeKeys.size(); i++) {
                    insert.setString(1, logId);
                    insert.setShort(2, (short) nodeKeys.get(i)[0]);
                    insert.setLong(3, nodeKeys.get(i)[1]);
                    insert.setBytes(4, nodeHashes.get(i));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        writerConnection.commit();
        range = working;
        head.setSize(index);
        head.publish(working);
        head.wakeFollowers();
    }

    // --- checkpoints ------------------------------------------------------------------------------

    @Override
    public SignedCheckpoint checkpoint() {
        return checkpoints.checkpoint();
    }

    /**
     * Stores a signed checkpoint. The same checkpoint stored again is a no-op (signing is
     * deterministic, so a second checkpoint of an unchanged tree is the same note); a different note
     * already stored at that size is refused: it was not written by this log's writer (another
     * holder of this log's writer role inserted it), and keeping it quietly would drop the real one.
     */
    private void storeCheckpoint(SignedCheckpoint signed) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("INSERT INTO " + checkpointTable
                     + " (log_id, tree_size, note) VALUES (?, ?, ?) ON CONFLICT (log_id, tree_size) DO NOTHING")) {
            c.setAutoCommit(true);
            st.setString(1, logId);
            st.setLong(2, signed.checkpoint().size());
            st.setString(3, signed.format());
            if (st.executeUpdate() == 0) {
                requireSameStoredCheckpoint(c, signed);
            }
        } catch (SQLException e) {
            throw new AuditException("cannot store the checkpoint of audit log '" + logId + "': " + e.getMessage(), e);
        }
    }

    private void requireSameStoredCheckpoint(Connection c, SignedCheckpoint signed) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT note FROM " + checkpointTable
                + " WHERE log_id = ? AND tree_size = ?")) {
            st.setString(1, logId);
            st.setLong(2, signed.checkpoint().size());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next() || !signed.format().equals(rs.getString(1))) {
                    throw new AuditException("audit log '" + logId + "' already holds a different checkpoint of size "
                            + signed.checkpoint().size() + ", which its writer did not store: someone else wrote to "
                            + checkpointTable + "; run 'portcullis audit verify'");
                }
            }
        }
    }

    @Override
    public Optional<SignedCheckpoint> latestCheckpoint() {
        return checkpoints.latest();
    }

    // --- reads ------------------------------------------------------------------------------------

    @Override
    public String origin() {
        return logId;
    }

    @Override
    public long size() {
        return head.size();
    }

    @Override
    public List<LogEntry> read(long fromIndex, int maxCount) {
        long end = Math.min(head.size(), fromIndex + maxCount);
        if (fromIndex < 0 || maxCount < 0) {
            throw new IllegalArgumentException("fromIndex and maxCount cannot be negative");
        }
        List<LogEntry> result = new ArrayList<>();
        if (fromIndex >= end) {
            return result;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT idx, event FROM " + entries
                     + " WHERE log_id = ? AND idx >= ? AND idx < ? ORDER BY idx")) {
            st.setString(1, logId);
            st.setLong(2, fromIndex);
            st.setLong(3, end);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    result.add(new LogEntry(rs.getLong(1), rs.getBytes(2)));
                }
            }
        } catch (SQLException e) {
            throw new AuditException("cannot read audit log '" + logId + "': " + e.getMessage(), e);
        }
        return result;
    }

    @Override
    public List<LogEntry> query(EventFilter filter, long fromIndex, int maxCount) {
        StringBuilder sql = new StringBuilder("SELECT idx, event FROM " + entries + " WHERE log_id = ? AND idx >= ? AND idx < ?");
        List<Object> args = new ArrayList<>(List.of(logId, fromIndex, head.size()));
        if (filter.since() != null) {
            sql.append(" AND event_time >= ?");
            args.add(OffsetDateTime.ofInstant(filter.since(), ZoneOffset.UTC));
        }
        if (filter.until() != null) {
            sql.append(" AND event_time < ?");
            args.add(OffsetDateTime.ofInstant(filter.until(), ZoneOffset.UTC));
        }
        if (filter.subject() != null) {
            sql.append(" AND subject = ?");
            args.add(filter.subject());
        }
        if (filter.type() != null) {
            sql.append(" AND event_type = ?");
            args.add(filter.type().wireName());
        }
        if (filter.outcome() != null) {
            sql.append(" AND outcome = ?");
            args.add(filter.outcome().wireName());
        }
        sql.append(" ORDER BY idx LIMIT ").append(Math.max(0, maxCount));
        List<LogEntry> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                st.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    LogEntry entry = new LogEntry(rs.getLong(1), rs.getBytes(2));
                    // The columns are copies; the canonical event decides.
                    if (filter.matches(entry.event())) {
                        result.add(entry);
                    }
                }
            }
        } catch (SQLException e) {
            throw new AuditException("cannot query audit log '" + logId + "': " + e.getMessage(), e);
        }
        return result;
    }

    @Override
    public EntryCursor follow(long fromIndex) {
        return new FollowingCursor(this, fromIndex, head.growthWaiter(writer::isClosed));
    }

    /** Lends the tree math the stored nodes over one pooled connection. */
    private <T> T withNodes(Function<NodeSource, T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(new DbNodes(c));
        } catch (SQLException e) {
            throw new AuditException("cannot read audit log '" + logId + "': " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] rootHash(long treeSize) {
        return proofs.rootHash(treeSize);
    }

    @Override
    public InclusionProof inclusionProof(long index, long treeSize) {
        return proofs.inclusionProof(index, treeSize);
    }

    @Override
    public ConsistencyProof consistencyProof(long fromSize, long toSize) {
        return proofs.consistencyProof(fromSize, toSize);
    }

    @Override
    public void close() {
        if (!writer.stop()) {
            return;
        }
        checkpoints.stopSchedule();
        try {
            if (!writer.hasFailed() && checkpoints.isBehind(head.size())) {
                checkpoint();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "audit log " + logId + ": final checkpoint failed: " + e.getMessage());
        } finally {
            head.wakeFollowers();
            releaseLock();
            try {
                writerConnection.close();
            } catch (SQLException ignored) {
                // Nothing is lost: every acknowledged append was committed.
            }
        }
    }

    /**
     * Releases the log id's advisory lock before the connection closes. Closing alone releases it
     * too, but only once the server has ended the session, a moment after close returned: an
     * instance reopening the log at once (a restart) would be refused as a second writer.
     */
    private void releaseLock() {
        try (PreparedStatement st = writerConnection.prepareStatement(
                "SELECT pg_advisory_unlock(hashtext('portcullis.audit'), hashtext(?))")) {
            st.setString(1, logId);
            st.execute();
        } catch (SQLException ignored) {
            // The connection is gone, and the session's lock with it.
        }
    }

    /** Builds a {@link PostgresAuditLog}; {@link #open()} validates every setting. */
    public static final class Builder {
        private final DataSource dataSource;
        private final String logId;
        private final CheckpointSigner signer;
        private String schema = PostgresAuditSchema.DEFAULT_SCHEMA;
        private DurabilityMode durability = DurabilityMode.DURABLE;
        private int maxEventBytes = AuditEventJson.DEFAULT_MAX_EVENT_BYTES;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private int maxBatch = DEFAULT_MAX_BATCH;

        private Builder(DataSource dataSource, String logId, CheckpointSigner signer) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource cannot be null");
            this.logId = Objects.requireNonNull(logId, "logId cannot be null");
            this.signer = Objects.requireNonNull(signer, "signer cannot be null");
        }

        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        public Builder durability(DurabilityMode durability) {
            this.durability = Objects.requireNonNull(durability, "durability cannot be null");
            return this;
        }

        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = bytes;
            return this;
        }

        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = Objects.requireNonNull(interval, "checkpointInterval cannot be null");
            return this;
        }

        public Builder queueCapacity(int capacity) {
            this.queueCapacity = capacity;
            return this;
        }

        public Builder maxBatch(int events) {
            this.maxBatch = events;
            return this;
        }

        /**
         * Validates the settings, connects, takes the log id's lock and resumes the tree.
         *
         * @throws IllegalArgumentException naming a bad setting
         * @throws AuditException if the database cannot be used
         */
        public PostgresAuditLog open() {
            PostgresAuditSchema.checkIdentifier(schema, "schema");
            PostgresAuditSchema.checkLogId(logId);
            if (maxEventBytes < 256 || maxEventBytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("maxEventBytes must be from 256 to 16 MiB, was " + maxEventBytes);
            }
            CheckpointKeeper.checkInterval(checkpointInterval);
            if (queueCapacity < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("queueCapacity and maxBatch must be positive");
            }
            try {
                return new PostgresAuditLog(this);
            } catch (SQLException e) {
                throw new AuditException("cannot open audit log '" + logId + "' in PostgreSQL: " + e.getMessage(), e);
            }
        }
    }
}
