#!/bin/sh
# Run by the postgres image on its first start (mounted into /docker-entrypoint-initdb.d
# by docker-compose.prod.yml): the owner and application roles of roles.sql, with the
# passwords of .env.production.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner=school_owner -v owner_password="$POSTGRES_OWNER_PASSWORD" \
    -v app=school_app -v app_password="$POSTGRES_APP_PASSWORD" \
    -v database="$POSTGRES_DB" \
    -f /etc/school/roles.sql
