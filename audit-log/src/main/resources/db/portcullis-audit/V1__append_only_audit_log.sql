-- The PostgreSQL store of the Portcullis audit log (dev.portcullis.audit.storage.PostgresAuditLog).
-- Run by Flyway as the migration role, which owns the schema. ${service_role} is the role the
-- service connects as: it may only INSERT and SELECT. Every table rejects UPDATE, DELETE and
-- TRUNCATE with a trigger as well, so that not even a mistaken grant makes the log mutable; only
-- the owner could disable the triggers, and the owner is not what the service runs as. The
-- triggers are per statement, so that they refuse even a statement that matches no row.

CREATE TABLE audit_logs (
    log_id     text        PRIMARY KEY CHECK (length(log_id) BETWEEN 1 AND 255),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per entry; (log_id, idx) is the entry's position in its own log. event is the event's
-- RFC 8785 canonical JSON exactly as hashed (bytea: jsonb would normalise it). The other columns
-- are copies for queries and are not trusted by the verifier.
CREATE TABLE audit_entries (
    log_id     text        NOT NULL REFERENCES audit_logs (log_id),
    idx        bigint      NOT NULL CHECK (idx >= 0),
    event_time timestamptz NOT NULL,
    event_type text        NOT NULL,
    subject    text,
    outcome    text        NOT NULL,
    leaf_hash  bytea       NOT NULL CHECK (length(leaf_hash) = 32),
    event      bytea       NOT NULL,
    PRIMARY KEY (log_id, idx)
);
CREATE INDEX audit_entries_by_time ON audit_entries (log_id, event_time);
CREATE INDEX audit_entries_by_subject ON audit_entries (log_id, subject, event_time);

-- Perfect subtree hashes at every 8th level of each log's tree (8, 16, ...), as tiles.
CREATE TABLE audit_tree_nodes (
    log_id text     NOT NULL REFERENCES audit_logs (log_id),
    level  smallint NOT NULL CHECK (level > 0 AND level % 8 = 0),
    idx    bigint   NOT NULL CHECK (idx >= 0),
    hash   bytea    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (log_id, level, idx)
);

-- Every signed checkpoint (C2SP signed note) of each log.
CREATE TABLE audit_checkpoints (
    log_id    text        NOT NULL REFERENCES audit_logs (log_id),
    tree_size bigint      NOT NULL CHECK (tree_size >= 0),
    note      text        NOT NULL,
    signed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (log_id, tree_size)
);

CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_tree_nodes_no_truncate BEFORE TRUNCATE ON audit_tree_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

-- Least privilege: the service role may read and append, nothing else.
REVOKE ALL ON audit_logs, audit_entries, audit_tree_nodes, audit_checkpoints FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_reject_change() FROM PUBLIC;
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${service_role};
GRANT SELECT, INSERT ON audit_logs, audit_entries, audit_tree_nodes, audit_checkpoints TO ${service_role};
