#!/usr/bin/env bash
# The team-store load test (issue 20): 16 writer processes x 1,000 records each into one
# PostgreSQL store and into one SQLite store, then the chain verified and every record
# counted (none lost, none duplicated). Prints records/s for each.
#
#   Benchmarks/store-load.sh [WRITERS] [RECORDS]
#
# Needs Debian's postgresql package; the server is a throwaway cluster
# (scripts/postgres-test-server.sh), fsync on.
set -euo pipefail
cd "$(dirname "$0")/.."
writers=${1:-16}
records=${2:-1000}
swift build -c release --product warrant-benchmarks 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Write|Emitting|Linking|Applying)'
bench=.build/release/warrant-benchmarks
admin=$(scripts/postgres-test-server.sh start)
db="warrant_load_$$"
psql "$admin" -X -q -c "CREATE DATABASE $db"
pg=${admin/\/postgres\?//$db?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; psql "$admin" -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
"$bench" store-load "$pg" "$writers" "$records"
"$bench" store-load "$tmp/evidence.sqlite" "$writers" "$records"
