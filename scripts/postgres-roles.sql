-- Roles for a Warrant evidence store on PostgreSQL. Run it as the database's owner (or a
-- superuser), once Warrant has created its schema in the database:
--
--   warrant evidence init --store postgresql://OWNER@HOST:PORT/DB
--   psql "postgresql://OWNER@HOST:PORT/DB" -v ON_ERROR_STOP=1 -f scripts/postgres-roles.sql
--
-- It creates two group roles, and it is safe to run again:
--   warrant_writer   may read records and add new ones (people and CI jobs that run
--                    `warrant build`, `evidence add`, `evidence import`);
--   warrant_auditor  may only read (check, report, gate, verify, list, show, export).
-- Neither may update, delete or truncate a record, change the schema, or create objects in
-- it; the schema's triggers refuse changes to records even for its owner, and `warrant
-- evidence verify` finds a trigger someone with more power disabled or removed.
--
-- Give people and jobs login roles that are members of one group:
--   CREATE ROLE ci_release LOGIN IN ROLE warrant_writer;   -- password: \password ci_release
--   CREATE ROLE audit_team LOGIN IN ROLE warrant_auditor;

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'warrant_writer') THEN
        CREATE ROLE warrant_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'warrant_auditor') THEN
        CREATE ROLE warrant_auditor NOLOGIN;
    END IF;
    IF to_regclass('warrant.records') IS NULL THEN
        RAISE EXCEPTION 'this database has no Warrant store yet: run `warrant evidence init --store URL` first, as its owner';
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO warrant_writer, warrant_auditor', current_database());
END
$roles$;

-- Start from nothing, so that running the script again also takes back what was granted by hand.
REVOKE ALL ON ALL TABLES IN SCHEMA warrant FROM warrant_writer, warrant_auditor;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA warrant FROM warrant_writer, warrant_auditor;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA warrant FROM warrant_writer, warrant_auditor;
REVOKE ALL ON SCHEMA warrant FROM warrant_writer, warrant_auditor;

GRANT USAGE ON SCHEMA warrant TO warrant_writer, warrant_auditor;
GRANT SELECT ON warrant.meta, warrant.records TO warrant_writer, warrant_auditor;
GRANT INSERT ON warrant.records TO warrant_writer;
