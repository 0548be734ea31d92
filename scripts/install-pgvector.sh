#!/usr/bin/env bash
# PostgreSQL 15 with pgvector, for the PostgreSQL store tests (`.ci/run`) and `bench/scale.py --store postgresql://…`.
# Debian bookworm packages PostgreSQL 15 but not pgvector: this builds pgvector 0.8.0 from Debian's own source
# package (checksum from its .dsc) and installs it into the system PostgreSQL. Idempotent.
set -euo pipefail
pg=15 version=0.8.0
sha256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0
sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
if [ -f "/usr/share/postgresql/$pg/extension/vector.control" ]; then
  echo "pgvector is installed for PostgreSQL $pg"; exit 0
fi
$sudo_ apt-get update -qq
$sudo_ apt-get install -y -qq "postgresql-$pg" "postgresql-server-dev-$pg" build-essential curl >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL -o "$work/pgvector.tar.gz" "http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_$version.orig.tar.gz"
echo "$sha256  $work/pgvector.tar.gz" | sha256sum -c --quiet -
tar xzf "$work/pgvector.tar.gz" -C "$work"
config="/usr/lib/postgresql/$pg/bin/pg_config"
make -s -C "$work/pgvector-$version" PG_CONFIG="$config" OPTFLAGS="" >/dev/null  # no -march=native: portable
$sudo_ make -s -C "$work/pgvector-$version" PG_CONFIG="$config" install >/dev/null
echo "pgvector $version installed for PostgreSQL $pg"
