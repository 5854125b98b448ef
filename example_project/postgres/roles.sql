-- The two database roles of the school site, run once by a superuser on a new database:
--   psql -v owner=school_owner -v owner_password=... -v app=school_app \
--        -v app_password=... -v database=school -f roles.sql
-- The owner runs the migrations and owns every table. The application (gunicorn, Celery)
-- owns nothing and is no superuser, so it cannot disable the audit log's trigger, alter
-- or truncate a table; it may only read and write rows.
\set ON_ERROR_STOP on

-- CREATEDB: `backup verify` restores each backup into a scratch database of its own
-- (prodready_backup.E012); a database the role creates gives it no power over this one.
CREATE ROLE :"owner" LOGIN CREATEDB PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN CREATEDB PASSWORD :'app_password';

-- The database's owner owns its public schema (pg_database_owner), so migrations can
-- create tables there.
ALTER DATABASE :"database" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"app";
GRANT USAGE ON SCHEMA public TO :"app";

-- Every table and sequence the owner creates from now on, the application may use.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
