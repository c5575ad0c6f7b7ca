-- The database and user of a shared certcycle register. Run once, as a superuser:
--   sudo -u postgres psql -v password="$(cat /etc/certcycle/secrets/db_password)" -f setup.sql
-- certcycle creates and updates its own tables (schema_migrations records which), so the user
-- owns the database and needs no other right. See Docs/postgresql.md.
CREATE ROLE certcycle LOGIN PASSWORD :'password';
CREATE DATABASE certcycle OWNER certcycle ENCODING 'UTF8' TEMPLATE template0;
-- Nobody else connects to it.
REVOKE CONNECT, TEMPORARY ON DATABASE certcycle FROM PUBLIC;
\connect certcycle
ALTER SCHEMA public OWNER TO certcycle;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- The run lock is held by an idle connection for the whole run: never close idle sessions of
-- this user (PostgreSQL 14+), or a long catch-up would lose its lock half-way.
ALTER ROLE certcycle SET idle_session_timeout = 0;
