package dev.portcullis.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.storage.PostgresAuditLog;
import dev.portcullis.audit.storage.PostgresAuditSchema;
import dev.portcullis.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis audit verify --database-url} against the stack's real PostgreSQL, connected as
 * an auditor role that may only SELECT: the audit tables' row-level security restricts inserts to
 * each log's writer role and must leave every row readable to such a role.
 */
class AuditVerifyDatabaseIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final String LOG_ID = "portcullis.test/db-verify";

    private LocalStack stack;
    private String suffix;
    private String database;
    private final List<String> roles = new ArrayList<>();
    private final Map<String, String> passwords = new HashMap<>();

    @BeforeEach
    void createDatabase() throws Exception {
        stack = LocalStack.require();
        suffix = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        database = "audit_cli_" + suffix;
        try (Connection c = dataSource("postgres", stack.get("postgres.admin-user"), stack.get("postgres.admin-password"))
                .getConnection(); Statement st = c.createStatement()) {
            for (String role : List.of("owner", "writer", "auditor")) {
                String name = role(role);
                passwords.put(name, HexFormat.of().formatHex(RANDOM.generateSeed(16)));
                st.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + passwords.get(name) + "'");
                roles.add(name);
            }
            st.execute("CREATE DATABASE " + database + " OWNER " + role("owner"));
            st.execute("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
            st.execute("GRANT CONNECT ON DATABASE " + database + " TO " + role("writer") + ", " + role("auditor"));
        }
    }

    @AfterEach
    void dropDatabase() throws Exception {
        if (database == null) {
            return;
        }
        try (Connection c = dataSource("postgres", stack.get("postgres.admin-user"), stack.get("postgres.admin-password"))
                .getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            for (String role : roles) {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    private String role(String role) {
        return "audit_cli_" + role + "_" + suffix;
    }

    private PGSimpleDataSource as(String role) {
        return dataSource(database, role(role), passwords.get(role(role)));
    }

    private PGSimpleDataSource dataSource(String db, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {stack.get("postgres.host")});
        ds.setPortNumbers(new int[] {stack.port("postgres.port")});
        ds.setDatabaseName(db);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    @Test
    void verifyOfADatabaseLogAsAnAuditorWhoMayOnlySelectReadsEveryEntry() throws Exception {
        String schema = PostgresAuditSchema.DEFAULT_SCHEMA;
        PostgresAuditSchema.migrate(as("owner"), schema, role("writer"));
        PostgresAuditSchema.allowWriter(as("owner"), schema, LOG_ID, role("writer"));
        LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(LOG_ID, RANDOM);
        try (PostgresAuditLog log = PostgresAuditLog.builder(as("writer"), LOG_ID, signer)
                .checkpointInterval(Duration.ofMillis(200)).open()) {
            for (int i = 0; i < 100; i++) {
                log.append(AuditCommandsTest.event(i));
            }
        }
        // The auditor's grants, as docs/audit-log.md gives them: read only, no writer of any log.
        try (Connection c = as("owner").getConnection(); Statement st = c.createStatement()) {
            st.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role("auditor"));
            st.execute("GRANT SELECT ON " + schema + ".audit_logs, " + schema + ".audit_entries, " + schema
                    + ".audit_tree_nodes, " + schema + ".audit_checkpoints TO " + role("auditor"));
        }

        // The password from a file (or $PORTCULLIS_AUDIT_DB_PASSWORD), never from the command line.
        String url = "jdbc:postgresql://" + stack.get("postgres.host") + ":" + stack.port("postgres.port") + "/" + database;
        java.nio.file.Path passwordFile = java.nio.file.Files.createTempFile("portcullis-auditor-", ".password");
        java.nio.file.Files.writeString(passwordFile, passwords.get(role("auditor")) + "\n");
        Cli refused = Cli.run("audit", "verify", "--database-url", url + "?password=" + passwords.get(role("auditor")),
                "--database-user", role("auditor"), "--log-id", LOG_ID, "--trusted-key", signer.verifierKey().toString());
        Cli verify;
        try {
            verify = Cli.run("audit", "verify", "--database-url", url, "--database-password-file", passwordFile.toString(),
                    "--database-user", role("auditor"), "--log-id", LOG_ID, "--trusted-key", signer.verifierKey().toString(),
                    "--output", "json");
        } finally {
            java.nio.file.Files.deleteIfExists(passwordFile);
        }

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("--database-url must not carry a password")
                .doesNotContain(passwords.get(role("auditor")));

        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        JsonNode report = MAPPER.readTree(verify.out());
        assertThat(report.get("intact").asBoolean()).isTrue();
        assertThat(report.get("entries").asLong()).isEqualTo(100);
        assertThat(report.get("verified_checkpoint").get("size").asLong()).isEqualTo(100);
    }
}
