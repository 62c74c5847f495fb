#!/usr/bin/env bash
# Installs Debian's PostgreSQL server and PostGIS for the PostGIS store tests when missing.
# The test session starts its own throwaway cluster (tests/pg_fixtures.py); nothing is
# started here and the distribution's default cluster is not used.
set -euo pipefail
have_postgis() {
  ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 &&
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
if have_postgis; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  echo "installing Debian postgresql and PostGIS for the PostGIS store tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # the PostGIS package of Debian's default PostgreSQL major version
  major=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9]\+\)$/\1/p' | head -1)
  apt-get install -y -qq --no-install-recommends postgresql "postgresql-${major:-15}-postgis-3" >/dev/null
  have_postgis || { echo "PostGIS is still missing after apt-get install" >&2; exit 1; }
else
  echo "PostGIS is missing: run 'sudo apt-get install postgresql postgresql-15-postgis-3'" \
       "(the PostGIS store tests will fail in CI and warn elsewhere)" >&2
fi
