#!/usr/bin/env bash
# PostgreSQL store benchmark: on the generated register of N certificates (default 1,000,000,
# `certcycle generate --seed 1`, the same as Benchmarks/register-scan.sh), loaded into a local
# PostgreSQL database,
#  - `certcycle scan --format jsonl` for one date must take at most 3x the time `psql` needs to
#    read every register table in full (COPY (SELECT * FROM t) TO STDOUT, to /dev/null), best of 3,
#  - with peak memory (max RSS) under 300 MB,
#  - and print the same bytes as the scan of the SQLite store (when register-scan.sh left one).
# The register is loaded with `certcycle migrate-store` from bench-out/nN/reg.sqlite when that
# file exists (Benchmarks/register-scan.sh N makes it; faster than importing the CSV files
# again), else with `certcycle import`; LOAD=import or LOAD=migrate chooses.
# The server is the throwaway one of Scripts/test-postgres.sh (started here when it is not running).
# Usage: Benchmarks/postgres-scan.sh [N] [DATE]
#   (needs PostgreSQL, psql, openssl and GNU time: apt-get install postgresql openssl time)
#   SCRATCH=.build-NAME uses that build folder instead of .build.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATE=${2:-2026-06-30}
OUT=bench-out/n$N
SCRATCH=${SCRATCH:-.build}
BIN=$SCRATCH/release/certcycle
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
command -v psql >/dev/null || { echo "needs psql (apt-get install postgresql)"; exit 1; }

swift build -c release --scratch-path "$SCRATCH" --product certcycle >/dev/null
eval "$(bash Scripts/test-postgres.sh start)"
export CERTCYCLE_DB_PASSWORD_FILE
PGPASSWORD=$(cat "$CERTCYCLE_DB_PASSWORD_FILE")
export PGPASSWORD
SERVER=${CERTCYCLE_TEST_POSTGRES_URL%/*}
DBNAME=certcycle_bench_n$N
DB=$SERVER/$DBNAME
mkdir -p "$OUT"

. Benchmarks/lib.sh

ensure_register "$N"
psql "$CERTCYCLE_TEST_POSTGRES_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DBNAME" -c "CREATE DATABASE $DBNAME"
LOAD=${LOAD:-$([ -f "$OUT/reg.sqlite" ] && echo migrate || echo import)}
if [ "$LOAD" = migrate ]; then
  measure "migrate-store from reg.sqlite" "$BIN" migrate-store "sqlite:$OUT/reg.sqlite" "$DB"
else
  measure "import the CSV files" "$BIN" import "$OUT/register" --db "$DB"
fi
LOAD_SECONDS=$LAST_SECONDS

TABLES="organizations certificates audits nonconformities suspensions withdrawals applications appeals misuse"
psql "$DB" -X -q -c "VACUUM ANALYZE $(echo $TABLES | tr ' ' ',')"
COPY=""
for t in $TABLES; do COPY="$COPY COPY (SELECT * FROM $t) TO STDOUT;"; done
# Warm the server's cache once so both sides read from memory.
psql "$DB" -X -q -c "$COPY" >/dev/null
best_psql=999999; best_scan=999999; scan_rss=0
for run in 1 2 3; do
  measure "psql COPY every table (run $run)" sh -c "psql '$DB' -X -q -c '$COPY' >/dev/null"
  best_psql=$(python3 -c "print(min($best_psql, $LAST_SECONDS))")
  measure "scan --format jsonl (run $run)" sh -c "'$BIN' scan --as-of $DATE --format jsonl --db '$DB' >'$OUT/scan-postgres.jsonl' 2>/dev/null"
  best_scan=$(python3 -c "print(min($best_scan, $LAST_SECONDS))")
  scan_rss=$(( LAST_RSS_MB > scan_rss ? LAST_RSS_MB : scan_rss ))
done
obligations=$(wc -l < "$OUT/scan-postgres.jsonl")
ratio=$(python3 -c "print(round($best_scan / $best_psql, 2))")
same="no SQLite scan to compare with (run Benchmarks/register-scan.sh $N $DATE)"
if [ -f "$OUT/scan.jsonl" ]; then
  if cmp -s "$OUT/scan.jsonl" "$OUT/scan-postgres.jsonl"; then same="same bytes as the SQLite scan"; else same="DIFFERS from the SQLite scan"; fi
fi
echo
echo "register: $N certificates in $DB; $(for t in $TABLES; do printf '%s %s, ' "$t" "$(psql "$DB" -X -A -t -c "SELECT count(*) FROM $t")"; done)"
echo "scan found $obligations obligations on $DATE: $same"
echo "load:    ${LOAD_SECONDS} s ($LOAD)"
echo "scan:    ${best_scan} s vs psql ${best_psql} s = ${ratio}x (target: 3x); peak ${scan_rss} MB (target: 300 MB)"
python3 - "$ratio" "$scan_rss" "$same" <<'PY'
import sys
ratio, rss, same = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ok = ratio <= 3 and rss < 300 and "DIFFERS" not in same
print("result:  " + ("all targets met" if ok else "TARGET MISSED"))
sys.exit(0 if ok else 1)
PY
