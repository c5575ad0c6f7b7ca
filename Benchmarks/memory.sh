#!/usr/bin/env bash
# Issue 12 benchmark: wall time and peak resident memory (GNU time's %M) of every command that
# reads or writes the whole register, on a generated register of N certificates (default
# 1,000,000), each beside its floor measured in the same run:
#   import                      vs sqlite3 `.import --csv` of the same nine files into an empty db
#   scan --format jsonl         vs sqlite3 reading every table (SELECT *)
#   run (first night)           vs scan for the as-of date
#   run (steady state)          vs scan for the as-of date
#   run with a new endpoint     vs scan (the run queues every certificate's snapshot first)
#   publish (PUBLISH=1)         (the endpoint refuses connections: every delivery is tried once and rescheduled)
#   export                      vs sqlite3 writing every table as CSV
#   migrate-store sqlite→sqlite vs sqlite3 `VACUUM INTO` (a row-by-row copy of the database)
#   forecast --format csv       vs scan
# Targets (issue 12): every command under 300 MB; import ≤ 3× its floor; steady-state run ≤ 2× scan.
# With PG=1, the same on PostgreSQL (the throwaway server of Scripts/test-postgres.sh): import,
# migrate-store into it, scan, the two runs, snapshot queueing, export, vs psql COPY of every table.
#
# Usage: Benchmarks/memory.sh [N] [DATE]
#   BIN=path/to/certcycle measures that executable (default .build/release/certcycle, built when missing);
#   WORK=dir keeps the generated data there (default bench-out; the register is reused between runs);
#   SKIP_SYNC=1 leaves out the run with a new endpoint (about 40 minutes at 1,000,000 certificates).
# Needs sqlite3 and GNU time (apt-get install sqlite3 time); PG=1 also PostgreSQL and psql.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATE=${2:-2026-06-30}
WORK=${WORK:-bench-out}
OUT=$WORK/memory-n$N
BIN=${BIN:-.build/release/certcycle}
LIMIT_MB=300
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
[ -x "$BIN" ] || swift build -c release --product certcycle >/dev/null
mkdir -p "$OUT"
MEASURE_STDERR=$OUT/stderr.txt
. Benchmarks/lib.sh

TABLES="organizations certificates audits nonconformities suspensions withdrawals applications appeals misuse"
PREVIOUS=$(python3 -c "import datetime; print(datetime.date.fromisoformat('$DATE') - datetime.timedelta(days=1))")
NEXT=$(python3 -c "import datetime; print(datetime.date.fromisoformat('$DATE') + datetime.timedelta(days=1))")
ROWS=()   # "label|seconds|MB|floor label|floor seconds|target ratio"

# row LABEL FLOOR-LABEL FLOOR-SECONDS [TARGET-RATIO]: records the last measurement against a floor.
row() { ROWS+=("$1|$LAST_SECONDS|$LAST_RSS_MB|$2|$3|${4:-}"); }
fresh() { chmod -R u+w "$@" 2>/dev/null || true; rm -rf "$@"; }
copy_db() { rm -f "$2" "$2-wal" "$2-shm"; sqlite3 "$1" ".backup '$2'"; }

ensure_register "$N"

# SQLite ------------------------------------------------------------------------------------
rm -f "$OUT"/floor.sqlite* "$OUT"/reg.sqlite*
: > "$OUT/floor-import.sql"
echo ".mode csv" >> "$OUT/floor-import.sql"
for t in $TABLES; do
  [ -f "$OUT/register/$t.csv" ] && echo ".import --csv '$OUT/register/$t.csv' $t" >> "$OUT/floor-import.sql"
done
measure "floor: sqlite3 .import --csv" sqlite3 "$OUT/floor.sqlite" ".read '$OUT/floor-import.sql'"
floor_import=$LAST_SECONDS
row "floor: sqlite3 .import --csv (9 files)" "" ""
measure "import" "$BIN" import "$OUT/register" --db "sqlite:$OUT/reg.sqlite"
row "import" "sqlite3 .import" "$floor_import" 3
sqlite3 "$OUT/reg.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

QUERY=""
for t in $TABLES; do QUERY="$QUERY SELECT * FROM $t;"; done
sqlite3 "$OUT/reg.sqlite" "$QUERY" >/dev/null   # warm the page cache
measure "floor: sqlite3 SELECT *" sqlite3 "$OUT/reg.sqlite" "$QUERY"
floor_select=$LAST_SECONDS
row "floor: sqlite3 SELECT * (every table)" "" ""
measure "scan --format jsonl ($DATE)" "$BIN" scan --as-of "$DATE" --format jsonl --db "sqlite:$OUT/reg.sqlite"
floor_scan=$LAST_SECONDS
row "scan --format jsonl" "sqlite3 SELECT *" "$floor_select"

RUN=$OUT/run
fresh "$RUN"
mkdir -p "$RUN"
copy_db "$OUT/reg.sqlite" "$RUN/reg.sqlite"
measure "run, first night ($PREVIOUS)" "$BIN" run --as-of "$PREVIOUS" --db "sqlite:$RUN/reg.sqlite" --notices "$RUN/notices"
row "run, first night ($PREVIOUS)" "scan" "$floor_scan"
measure "run, steady state ($DATE)" "$BIN" run --as-of "$DATE" --db "sqlite:$RUN/reg.sqlite" --notices "$RUN/notices"
row "run, steady state ($DATE)" "scan" "$floor_scan" 2
# The scan again, after the runs: the better of the two is the floor (the machine is noisy).
measure "scan --format jsonl ($DATE, again)" "$BIN" scan --as-of "$DATE" --format jsonl --db "sqlite:$OUT/reg.sqlite"
floor_scan=$(python3 -c "print(min($floor_scan, $LAST_SECONDS))")

measure "forecast --format csv ($DATE)" "$BIN" forecast --as-of "$DATE" --format csv --db "sqlite:$OUT/reg.sqlite"
row "forecast --format csv" "scan" "$floor_scan"

if [ "${SKIP_SYNC:-0}" != 1 ]; then
# A new endpoint: the run first queues every certificate's state for it. Port 9 on the
# loopback refuses connections, so publish tries every delivery once and reschedules it.
cat > "$RUN/certcycle.toml" <<EOF
[[endpoints]]
name = "bench"
url = "http://127.0.0.1:9/hook"
secret_file = "bench.secret"
EOF
echo whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw > "$RUN/bench.secret"
chmod 600 "$RUN/bench.secret"
copy_db "$RUN/reg.sqlite" "$RUN/sync.sqlite"
# The run then tries every delivery once (the receiver refuses) and exits 75: meant.
measure "run with a new endpoint ($NEXT)" "$BIN" run --as-of "$NEXT" --config "$RUN/certcycle.toml" --db "sqlite:$RUN/sync.sqlite" --notices "$RUN/notices-sync" || true
row "run, new endpoint: snapshots + a delivery pass ($NEXT)" "scan" "$floor_scan"
snapshots=$(sqlite3 "$RUN/sync.sqlite" "SELECT count(*) FROM deliveries")
# publish is the run's delivery pass again: PUBLISH=1 measures it on its own.
if [ "${PUBLISH:-0}" = 1 ]; then
  # Every delivery fails, so publish exits non-zero: that is meant.
  measure "publish ($snapshots deliveries, refused)" "$BIN" publish --wait 0 --config "$RUN/certcycle.toml" --db "sqlite:$RUN/sync.sqlite" || true
  row "publish ($snapshots deliveries, refused)" "" ""
fi
fi

EXPORT_FLOOR=$OUT/export-floor
fresh "$EXPORT_FLOOR" "$OUT/export"
mkdir -p "$EXPORT_FLOOR"
: > "$OUT/floor-export.sql"
echo ".mode csv" >> "$OUT/floor-export.sql"
echo ".headers on" >> "$OUT/floor-export.sql"
for t in $TABLES; do printf ".output '%s'\nSELECT * FROM %s;\n" "$EXPORT_FLOOR/$t.csv" "$t" >> "$OUT/floor-export.sql"; done
measure "floor: sqlite3 CSV of every table" sqlite3 "$RUN/reg.sqlite" ".read '$OUT/floor-export.sql'"
floor_export=$LAST_SECONDS
row "floor: sqlite3 -csv every table" "" ""
measure "export" "$BIN" export "$OUT/export" --db "sqlite:$RUN/reg.sqlite"
row "export" "sqlite3 -csv" "$floor_export"

rm -f "$OUT"/vacuum.sqlite* "$OUT"/migrated.sqlite*
measure "floor: sqlite3 VACUUM INTO" sqlite3 "$RUN/reg.sqlite" "VACUUM INTO '$OUT/vacuum.sqlite'"
floor_vacuum=$LAST_SECONDS
row "floor: sqlite3 VACUUM INTO" "" ""
measure "migrate-store sqlite → sqlite" "$BIN" migrate-store "sqlite:$RUN/reg.sqlite" "sqlite:$OUT/migrated.sqlite"
row "migrate-store sqlite → sqlite" "VACUUM INTO" "$floor_vacuum"

# PostgreSQL --------------------------------------------------------------------------------
if [ "${PG:-0}" = 1 ]; then
  command -v psql >/dev/null || { echo "needs psql (apt-get install postgresql)"; exit 1; }
  eval "$(bash Scripts/test-postgres.sh start)"
  export CERTCYCLE_DB_PASSWORD_FILE
  PGPASSWORD=$(cat "$CERTCYCLE_DB_PASSWORD_FILE")
  export PGPASSWORD
  SERVER=${CERTCYCLE_TEST_POSTGRES_URL%/*}
  newdb() { psql "$CERTCYCLE_TEST_POSTGRES_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }
  PGREG=$SERVER/certcycle_mem_n$N; newdb "certcycle_mem_n$N"
  measure "postgres: import" "$BIN" import "$OUT/register" --db "$PGREG"
  row "postgres: import" "sqlite3 .import" "$floor_import"
  COPY=""
  for t in $TABLES; do COPY="$COPY COPY (SELECT * FROM $t) TO STDOUT;"; done
  psql "$PGREG" -X -q -c "VACUUM ANALYZE" >/dev/null
  psql "$PGREG" -X -q -c "$COPY" >/dev/null
  measure "floor: psql COPY every table" sh -c "psql '$PGREG' -X -q -c '$COPY' >/dev/null"
  floor_copy=$LAST_SECONDS
  row "postgres floor: psql COPY (every table)" "" ""
  measure "postgres: scan" "$BIN" scan --as-of "$DATE" --format jsonl --db "$PGREG"
  pg_scan=$LAST_SECONDS
  row "postgres: scan --format jsonl" "psql COPY" "$floor_copy"
  fresh "$OUT/pg-notices" "$OUT/pg-notices-sync"
  measure "postgres: run, first night" "$BIN" run --as-of "$PREVIOUS" --db "$PGREG" --notices "$OUT/pg-notices"
  row "postgres: run, first night ($PREVIOUS)" "scan" "$pg_scan"
  measure "postgres: run, steady state" "$BIN" run --as-of "$DATE" --db "$PGREG" --notices "$OUT/pg-notices"
  row "postgres: run, steady state ($DATE)" "scan" "$pg_scan" 2
  if [ "${SKIP_SYNC:-0}" != 1 ]; then
    measure "postgres: run with a new endpoint" "$BIN" run --as-of "$NEXT" --config "$RUN/certcycle.toml" --db "$PGREG" --notices "$OUT/pg-notices"
    row "postgres: run, new endpoint: snapshots ($NEXT)" "scan" "$pg_scan"
  fi
  fresh "$OUT/pg-export"
  measure "postgres: export" "$BIN" export "$OUT/pg-export" --db "$PGREG"
  row "postgres: export" "psql COPY" "$floor_copy"
  PGMIG=$SERVER/certcycle_mig_n$N; newdb "certcycle_mig_n$N"
  measure "postgres: migrate-store sqlite → postgres" "$BIN" migrate-store "sqlite:$RUN/reg.sqlite" "$PGMIG"
  row "postgres: migrate-store sqlite → postgres" "" ""
fi

# The table ---------------------------------------------------------------------------------
echo
echo "N = $N certificates; as-of $DATE; $BIN; $(nproc) CPUs"
python3 - "$LIMIT_MB" "${ROWS[@]}" <<'PY'
import sys
limit = int(sys.argv[1])
ok = True
print("| command | wall (s) | peak RSS (MB) | floor | ratio |")
print("|---|---:|---:|---|---:|")
for line in sys.argv[2:]:
    label, secs, mb, floor, floor_secs, target = line.split("|")
    secs, mb = float(secs), int(mb)
    ratio, note = "", ""
    if floor:
        r = secs / max(float(floor_secs), 0.01)
        ratio = "%.2f×" % r
        if target and r > float(target):
            note, ok = " (target ≤ %s×: MISSED)" % target, False
    if not label.startswith(("floor", "postgres floor")) and mb >= limit:
        note, ok = note + " (≥ %d MB: MISSED)" % limit, False
    print("| %s | %.2f | %d | %s | %s%s |" % (label, secs, mb, (floor + " %.2f s" % float(floor_secs)) if floor else "—", ratio, note))
print("result:  " + ("all targets met" if ok else "TARGET MISSED"))
sys.exit(0 if ok else 1)
PY
