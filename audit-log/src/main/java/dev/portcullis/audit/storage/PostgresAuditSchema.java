package dev.portcullis.audit.storage;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import dev.portcullis.audit.AuditException;

/**
 * The schema of the PostgreSQL audit store, applied with Flyway as the migration role (the
 * schema's owner). The service connects as another role, which the migration grants only
 * {@code SELECT} and {@code INSERT}; triggers reject {@code UPDATE}, {@code DELETE} and
 * {@code TRUNCATE} on every table. Migrations live in {@code classpath:db/portcullis-audit}.
 */
public final class PostgresAuditSchema {

    /** The default schema name. */
    public static final String DEFAULT_SCHEMA = "portcullis_audit";
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private PostgresAuditSchema() {
    }

    /**
     * Creates or upgrades the schema.
     *
     * @param ownerDataSource connections as the migration role, which must be allowed to create the schema
     * @param schema          the schema name (lower-case identifier)
     * @param serviceRole     the role the service connects as (lower-case identifier); it must exist
     * @return the number of migrations applied
     */
    public static int migrate(DataSource ownerDataSource, String schema, String serviceRole) {
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
                    .load()
                    .migrate()
                    .migrationsExecuted;
        } catch (FlywayException e) {
            throw new AuditException("migrating the audit schema '" + schema + "' failed: " + e.getMessage(), e);
        }
    }

    static String checkIdentifier(String value, String what) {
        Objects.requireNonNull(value, what + " cannot be null");
        if (!IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a lower-case SQL identifier ([a-z_][a-z0-9_]*), was '" + value + "'");
        }
        return value;
    }
}
