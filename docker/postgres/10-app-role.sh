#!/bin/sh
# Runs once, when the postgres volume is first initialised. The database tool refuses superuser
# roles (DB_ALLOW_PRIVILEGED_ROLE=false), so the server connects as this ordinary role instead of
# POSTGRES_USER. It owns the public schema of POSTGRES_DB and nothing else.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="$MCP_DB_USER" -v app_password="$MCP_DB_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
ALTER SCHEMA public OWNER TO :"app_user";
SQL
