package dev.portcullis.bench.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.ds.PGSimpleDataSource;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.json.AuditEventJson;
import dev.portcullis.audit.storage.SegmentFileAuditLog;

/**
 * Durable appends per second with 1, 16 and 256 concurrent writers, side by side in one run:
 *
 * <ul>
 *   <li>{@code segment*}: {@link SegmentFileAuditLog} in DURABLE mode (fdatasync before every
 *       append returns, group commit), each append a full event (canonical JSON, leaf hash, tree);</li>
 *   <li>{@code segment256Virtual}: the same, with 256 writers on virtual threads (the service's case);</li>
 *   <li>{@code pgRow*}: plain JDBC, one INSERT of the same canonical bytes per transaction, on a
 *       PostgreSQL running with {@code synchronous_commit=on} and {@code fsync=on};</li>
 *   <li>{@code pgBatch*}: plain JDBC, 100 rows per transaction (throughput counted per row).</li>
 * </ul>
 *
 * PostgreSQL is found through {@code -Dbench.pg.host/port/db/user/password} (see docs/benchmarks.md);
 * without it the pg benchmarks fail at setup. The segment log goes to {@code -Dbench.dir} (default:
 * a temporary folder) on the same disk.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class DurableAppendBenchmark {

    static final int BATCH = 100;

    /** One segment log shared by every writer thread. */
    @State(Scope.Benchmark)
    public static class SegmentLog {
        SegmentFileAuditLog log;
        Path dir;

        @Setup(Level.Trial)
        public void open() throws Exception {
            String base = System.getProperty("bench.dir");
            dir = base == null ? Files.createTempDirectory("audit-bench") : Files.createTempDirectory(Path.of(base), "audit-bench");
            log = SegmentFileAuditLog.builder(dir, "bench.portcullis/audit",
                    LocalEd25519CheckpointSigner.generate("bench.portcullis/audit", new SecureRandom()))
                    .checkpointInterval(Duration.ofSeconds(1)).open();
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            log.close();
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Per-thread events, so that generating them is not what is measured. */
    @State(Scope.Thread)
    public static class Events {
        private static final AtomicLong THREADS = new AtomicLong();
        AuditEvent[] events = new AuditEvent[1024];
        byte[][] canonical = new byte[1024][];
        int next;

        @Setup(Level.Trial)
        public void make() {
            long base = THREADS.getAndIncrement() * 1_000_000L;
            AuditEventJson json = new AuditEventJson();
            for (int i = 0; i < events.length; i++) {
                events[i] = BenchEvents.decision(base + i);
                canonical[i] = json.canonicalBytes(events[i]);
            }
        }

        AuditEvent nextEvent() {
            return events[next++ & 1023];
        }

        byte[] nextCanonical() {
            return canonical[next++ & 1023];
        }
    }

    /** The peer: a table like the PostgreSQL store's, and one connection per writer thread. */
    @State(Scope.Benchmark)
    public static class Pg {
        PGSimpleDataSource dataSource;
        final AtomicLong ids = new AtomicLong();

        @Setup(Level.Trial)
        public void create() throws SQLException {
            dataSource = new PGSimpleDataSource();
            dataSource.setServerNames(new String[] {System.getProperty("bench.pg.host", "127.0.0.1")});
            dataSource.setPortNumbers(new int[] {Integer.getInteger("bench.pg.port", 5432)});
            dataSource.setDatabaseName(System.getProperty("bench.pg.db", "postgres"));
            dataSource.setUser(System.getProperty("bench.pg.user", "postgres"));
            dataSource.setPassword(System.getProperty("bench.pg.password", ""));
            dataSource.setReWriteBatchedInserts(true);
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS bench_audit");
                st.execute("CREATE TABLE bench_audit (id bigint PRIMARY KEY, leaf_hash bytea NOT NULL, event bytea NOT NULL)");
                try (var rs = st.executeQuery("SHOW synchronous_commit")) {
                    rs.next();
                    if (!"on".equals(rs.getString(1))) {
                        throw new IllegalStateException("the peer must run with synchronous_commit=on");
                    }
                }
            }
        }
    }

    @State(Scope.Thread)
    public static class PgConnection {
        Connection connection;
        PreparedStatement insert;

        @Setup(Level.Trial)
        public void connect(Pg pg) throws SQLException {
            connection = pg.dataSource.getConnection();
            insert = connection.prepareStatement("INSERT INTO bench_audit (id, leaf_hash, event) VALUES (?, ?, ?)");
        }

        @TearDown(Level.Trial)
        public void close() throws SQLException {
            connection.close();
        }
    }

    private static final byte[] HASH = new byte[32];

    // --- Portcullis segment store -------------------------------------------------------------------

    @Benchmark
    @Threads(1)
    public void segment001(SegmentLog log, Events events) {
        log.log.append(events.nextEvent());
    }

    @Benchmark
    @Threads(16)
    public void segment016(SegmentLog log, Events events) {
        log.log.append(events.nextEvent());
    }

    @Benchmark
    @Threads(256)
    public void segment256(SegmentLog log, Events events) {
        log.log.append(events.nextEvent());
    }

    /**
     * 256 writers on virtual threads, the way the authz-service appends (its requests run on virtual
     * threads and block on the durable append). Each invocation starts 256 virtual threads that append
     * {@value #VIRTUAL_APPENDS_EACH} events each and waits for all of them; the wait for the slowest
     * writer at the end of every invocation makes this a conservative figure.
     */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(256 * VIRTUAL_APPENDS_EACH)
    public void segment256Virtual(SegmentLog log, VirtualWriters writers) throws Exception {
        writers.appendConcurrently(log.log);
    }

    static final int VIRTUAL_APPENDS_EACH = 4;

    /** Pre-built events for the 256 virtual writers, so that generating them is not measured. */
    @State(Scope.Benchmark)
    public static class VirtualWriters {
        AuditEvent[][] events = new AuditEvent[256][64];
        int round;

        @Setup(Level.Trial)
        public void make() {
            for (int w = 0; w < events.length; w++) {
                for (int i = 0; i < events[w].length; i++) {
                    events[w][i] = BenchEvents.decision(900_000_000L + w * 1_000_000L + i);
                }
            }
        }

        void appendConcurrently(SegmentFileAuditLog log) throws InterruptedException {
            int offset = (round++ * VIRTUAL_APPENDS_EACH) & 63;
            Thread[] threads = new Thread[events.length];
            for (int w = 0; w < threads.length; w++) {
                AuditEvent[] mine = events[w];
                threads[w] = Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < VIRTUAL_APPENDS_EACH; i++) {
                        log.append(mine[(offset + i) & 63]);
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    // --- PostgreSQL, one row per transaction -------------------------------------------------------

    private static void insertOne(Pg pg, PgConnection c, Events events) throws SQLException {
        c.insert.setLong(1, pg.ids.incrementAndGet());
        c.insert.setBytes(2, HASH);
        c.insert.setBytes(3, events.nextCanonical());
        c.insert.executeUpdate(); // autocommit: one transaction, durable at commit
    }

    @Benchmark
    @Threads(1)
    public void pgRow001(Pg pg, PgConnection c, Events events) throws SQLException {
        insertOne(pg, c, events);
    }

    @Benchmark
    @Threads(16)
    public void pgRow016(Pg pg, PgConnection c, Events events) throws SQLException {
        insertOne(pg, c, events);
    }

    @Benchmark
    @Threads(256)
    public void pgRow256(Pg pg, PgConnection c, Events events) throws SQLException {
        insertOne(pg, c, events);
    }

    // --- PostgreSQL, 100 rows per transaction ------------------------------------------------------

    private static void insertBatch(Pg pg, PgConnection c, Events events) throws SQLException {
        c.connection.setAutoCommit(false);
        for (int i = 0; i < BATCH; i++) {
            c.insert.setLong(1, pg.ids.incrementAndGet());
            c.insert.setBytes(2, HASH);
            c.insert.setBytes(3, events.nextCanonical());
            c.insert.addBatch();
        }
        c.insert.executeBatch();
        c.connection.commit();
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public void pgBatch001(Pg pg, PgConnection c, Events events) throws SQLException {
        insertBatch(pg, c, events);
    }

    @Benchmark
    @Threads(16)
    @OperationsPerInvocation(BATCH)
    public void pgBatch016(Pg pg, PgConnection c, Events events) throws SQLException {
        insertBatch(pg, c, events);
    }

    @Benchmark
    @Threads(256)
    @OperationsPerInvocation(BATCH)
    public void pgBatch256(Pg pg, PgConnection c, Events events) throws SQLException {
        insertBatch(pg, c, events);
    }
}
