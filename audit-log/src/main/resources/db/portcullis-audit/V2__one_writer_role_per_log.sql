-- Each log has a writer role of its own, and row-level security lets a role INSERT only rows of
-- the logs it writes. Before this, every instance held the one service role, which could insert
-- rows for any log id: an entry at another instance's next index made that instance's log fail
-- closed, and on reopen the foreign row, beyond the last checkpoint, was taken into its tree.
--
-- Reading stays open: every role that may SELECT the tables (writers, auditors running verify)
-- still sees every row, so verification reads everything it did before.

-- Which role writes which log; managed by the owner (PostgresAuditSchema.allowWriter). Writer roles
-- may only read it: a role that could insert here could make itself the writer of any log.
CREATE TABLE audit_log_writers (
    log_id      text        PRIMARY KEY CHECK (length(log_id) BETWEEN 1 AND 255),
    writer_role name        NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now()
);

-- Upgrading: every log that exists was written by the service role this migration is run for, so
-- that role stays their writer and an upgraded instance opens and appends as before. A log id
-- opened for the first time from now on needs a writer registered first.
INSERT INTO audit_log_writers (log_id, writer_role)
SELECT log_id, '${service_role}' FROM audit_logs;

-- The writer roles read this table themselves, in the policies below and at open. A plain grant
-- rather than a SECURITY DEFINER function: nothing in the table is secret (every writer may read
-- every log anyway), and a plain table reference in a policy is bound to this very table when the
-- policy is created, so no search_path or temporary table of the caller can stand in for it.
REVOKE ALL ON audit_log_writers FROM PUBLIC;
GRANT SELECT ON audit_log_writers TO ${service_role};

-- The policies. A role sees rows only through a permissive policy once row-level security is on,
-- so reading is one policy for PUBLIC that admits every row: the table grants alone still decide
-- who may read at all. (Writers need it too: PostgreSQL checks the new row of an INSERT ... ON
-- CONFLICT, as open and checkpoints run, against the SELECT policies as well.) INSERT is allowed
-- only for rows whose log id the current role writes.
-- current_user, not session_user: privileges are checked against the current role, and a role
-- that can SET ROLE to a writer could use that writer's grants anyway.
--
-- Not FORCEd: FORCE binds only the tables' owner, and the owner could turn it off again (ALTER
-- TABLE is the owner's); the owner is trusted with the schema anyway and never runs the service.
-- What matters is that no writer is exempt: allowWriter refuses the owner, superusers and
-- BYPASSRLS roles as writers, and open warns when the connecting role is one of those.
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_logs_read ON audit_logs FOR SELECT USING (true);
CREATE POLICY audit_logs_insert_own ON audit_logs FOR INSERT WITH CHECK (
    log_id IN (SELECT w.log_id FROM audit_log_writers w WHERE w.writer_role = current_user));

ALTER TABLE audit_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_entries_read ON audit_entries FOR SELECT USING (true);
CREATE POLICY audit_entries_insert_own ON audit_entries FOR INSERT WITH CHECK (
    log_id IN (SELECT w.log_id FROM audit_log_writers w WHERE w.writer_role = current_user));

ALTER TABLE audit_tree_nodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_tree_nodes_read ON audit_tree_nodes FOR SELECT USING (true);
CREATE POLICY audit_tree_nodes_insert_own ON audit_tree_nodes FOR INSERT WITH CHECK (
    log_id IN (SELECT w.log_id FROM audit_log_writers w WHERE w.writer_role = current_user));

ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_checkpoints_read ON audit_checkpoints FOR SELECT USING (true);
CREATE POLICY audit_checkpoints_insert_own ON audit_checkpoints FOR INSERT WITH CHECK (
    log_id IN (SELECT w.log_id FROM audit_log_writers w WHERE w.writer_role = current_user));
