#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster made from this machine's
# PostgreSQL binaries, then remove the cluster. The command sees DATABASE_URL.
# PostgreSQL refuses to run as root, so under root the server runs as `postgres`.
set -euo pipefail

bindir=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
    bindir="$candidate"
  fi
done
if [ -z "$bindir" ]; then
  echo "with-postgres: no PostgreSQL server binaries found (initdb, pg_ctl)." >&2
  echo "Install them: apt-get install postgresql (make sysdeps does this as root)." >&2
  exit 1
fi

workdir="$(mktemp -d /tmp/tongchou-pg.XXXXXX)"
chmod 755 "$workdir"
as_server_user=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home "$workdir" postgres
  chown postgres "$workdir"
  as_server_user=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

cleanup() {
  "${as_server_user[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

"${as_server_user[@]}" "$bindir/initdb" -D "$workdir/data" -U tongchou --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 \
  || { cat "$workdir/initdb.log" >&2; exit 1; }
# Durability is not wanted for a throwaway test cluster: skip fsync for speed.
"${as_server_user[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c shared_buffers=512MB" \
  start >/dev/null || { cat "$workdir/server.log" >&2; exit 1; }
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U tongchou tongchou

export DATABASE_URL="postgres://tongchou@127.0.0.1:$port/tongchou"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port"
"$@"
