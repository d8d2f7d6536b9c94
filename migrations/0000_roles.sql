-- The role application queries run as. Roles are cluster-wide in PostgreSQL, so several VRM
-- databases on one server share it: create it only when it is missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vrm_app') THEN
    CREATE ROLE vrm_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
--> statement-breakpoint
-- The migrating user switches to vrm_app for every request (SET ROLE), so it must be a member.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'vrm_app', 'MEMBER') THEN
    EXECUTE format('GRANT vrm_app TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO vrm_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vrm_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO vrm_app;
