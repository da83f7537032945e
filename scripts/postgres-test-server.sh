#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for Warrant's store tests and load benchmark: a new data
# folder, a Unix socket in that folder, no TCP, trust authentication for its own socket
# only. Prints the admin URL to use as WARRANT_TEST_POSTGRES.
#
#   scripts/postgres-test-server.sh start [DIR]   # default DIR: /tmp/warrant-postgres
#   scripts/postgres-test-server.sh stop  [DIR]
#
# Needs Debian's postgresql package (apt-get install -y postgresql). initdb refuses to run
# as root, so as root the cluster belongs to the `postgres` user the package creates.
set -euo pipefail
action=${1:-start}
dir=${2:-/tmp/warrant-postgres}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "no PostgreSQL server here: apt-get install -y postgresql" >&2; exit 2; }
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
owner=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)
case "$action" in
start)
    if [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        echo "postgresql://$owner@/postgres?host=$dir"; exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U "$owner" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 </dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=100 -c fsync=on" start >/dev/null 2>&1 </dev/null
    echo "postgresql://$owner@/postgres?host=$dir"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    ;;
*) echo "usage: $0 start|stop [DIR]" >&2; exit 64 ;;
esac
