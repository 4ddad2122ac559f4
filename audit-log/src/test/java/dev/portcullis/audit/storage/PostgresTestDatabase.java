package dev.portcullis.audit.storage;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.postgresql.ds.PGSimpleDataSource;

import dev.portcullis.testing.LocalStack;

/**
 * A database of one test class's own on the stack's real PostgreSQL, owned by a role of its own,
 * with login roles named by the test ({@code "a"} becomes {@code audit_a_<random>}) and passwords
 * made at run time. Every role but the owner may connect and do nothing else until granted.
 */
final class PostgresTestDatabase implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final LocalStack stack;
    private final String suffix;
    private final String name;
    private final Map<String, String> passwords = new LinkedHashMap<>();

    private PostgresTestDatabase(LocalStack stack, String suffix) {
        this.stack = stack;
        this.suffix = suffix;
        this.name = "audit_it_" + suffix;
    }

    /** Creates the database, owned by the role {@code "owner"}, and the other roles. */
    static PostgresTestDatabase create(String... roles) throws SQLException {
        PostgresTestDatabase db = new PostgresTestDatabase(LocalStack.require(),
                HexFormat.of().formatHex(RANDOM.generateSeed(4)));
        try (Connection c = db.admin("postgres").getConnection(); Statement st = c.createStatement()) {
            db.createRole(st, "owner");
            for (String role : roles) {
                db.createRole(st, role);
            }
            st.execute("CREATE DATABASE " + db.name + " OWNER " + db.role("owner"));
            st.execute("REVOKE ALL ON DATABASE " + db.name + " FROM PUBLIC");
            for (String role : roles) {
                st.execute("GRANT CONNECT ON DATABASE " + db.name + " TO " + db.role(role));
            }
        }
        return db;
    }

    private void createRole(Statement st, String role) throws SQLException {
        String password = HexFormat.of().formatHex(RANDOM.generateSeed(16));
        passwords.put(role, password);
        st.execute("CREATE ROLE " + role(role) + " LOGIN PASSWORD '" + password + "'");
    }

    /** The PostgreSQL name of the test's role {@code role}. */
    String role(String role) {
        if (!passwords.containsKey(role)) {
            throw new IllegalArgumentException("no role '" + role + "' in this test database");
        }
        return "audit_" + role + "_" + suffix;
    }

    /** Connections to this database as the test's role {@code role}. */
    PGSimpleDataSource as(String role) {
        return dataSource(name, role(role), passwords.get(role));
    }

    /** Connections to this database as the stack's superuser. */
    PGSimpleDataSource asSuperuser() {
        return admin(name);
    }

    /** The stack's superuser (row-level security never binds it). */
    String superuser() {
        return stack.get("postgres.admin-user");
    }

    private PGSimpleDataSource admin(String database) {
        return dataSource(database, superuser(), stack.get("postgres.admin-password"));
    }

    private PGSimpleDataSource dataSource(String database, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {stack.get("postgres.host")});
        ds.setPortNumbers(new int[] {stack.port("postgres.port")});
        ds.setDatabaseName(database);
        ds.setUser(user);
        ds.setPassword(password);
        ds.setReWriteBatchedInserts(true);
        return ds;
    }

    /** Drops the database and every role. */
    @Override
    public void close() throws SQLException {
        try (Connection c = admin("postgres").getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            for (String role : passwords.keySet()) {
                st.execute("DROP ROLE IF EXISTS " + role(role));
            }
        }
    }
}
