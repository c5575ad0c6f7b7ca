#!/usr/bin/env bash
# Issue 2 benchmark: on a generated register of N certificates (default 1,000,000),
#  - `certcycle import` must finish within 5 minutes;
#  - `certcycle scan` for one date must take at most 2x the time the sqlite3 command-line
#    tool needs to read every table in full (SELECT * of each table to /dev/null),
#  - with peak memory (max RSS) under 300 MB.
# Usage: Benchmarks/register-scan.sh [N] [DATE]      (needs sqlite3 and GNU time: apt-get install sqlite3 time)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATE=${2:-2026-06-30}
OUT=bench-out/n$N
BIN=.build/release/certcycle
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }

swift build -c release --product certcycle >/dev/null
mkdir -p "$OUT"

. Benchmarks/lib.sh

ensure_register "$N"
rm -f "$OUT/reg.sqlite" "$OUT/reg.sqlite-wal" "$OUT/reg.sqlite-shm"
measure "import" "$BIN" import "$OUT/register" --db "sqlite:$OUT/reg.sqlite"
IMPORT_SECONDS=$LAST_SECONDS
sqlite3 "$OUT/reg.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

TABLES="organizations certificates audits nonconformities suspensions withdrawals applications appeals misuse"
QUERY=""
for t in $TABLES; do QUERY="$QUERY SELECT * FROM $t;"; done
# Warm the page cache once so both sides read from memory.
sqlite3 "$OUT/reg.sqlite" "$QUERY" >/dev/null
best_sqlite=999999; best_scan=999999; scan_rss=0
for run in 1 2 3; do
  measure "sqlite3 SELECT * (run $run)" sh -c "sqlite3 '$OUT/reg.sqlite' '$QUERY' >/dev/null"
  best_sqlite=$(python3 -c "print(min($best_sqlite, $LAST_SECONDS))")
  measure "scan --format jsonl (run $run)" sh -c "'$BIN' scan --as-of $DATE --format jsonl --db 'sqlite:$OUT/reg.sqlite' >'$OUT/scan.jsonl' 2>/dev/null"
  best_scan=$(python3 -c "print(min($best_scan, $LAST_SECONDS))")
  scan_rss=$(( LAST_RSS_MB > scan_rss ? LAST_RSS_MB : scan_rss ))
done
obligations=$(wc -l < "$OUT/scan.jsonl")
ratio=$(python3 -c "print(round($best_scan / $best_sqlite, 2))")
echo
echo "register: $N certificates; $(for t in $TABLES; do printf '%s %s, ' "$t" "$(sqlite3 "$OUT/reg.sqlite" "SELECT count(*) FROM $t")"; done)"
echo "scan found $obligations obligations on $DATE"
echo "import:  ${IMPORT_SECONDS} s (target: 300 s)"
echo "scan:    ${best_scan} s vs sqlite3 ${best_sqlite} s = ${ratio}x (target: 2x); peak ${scan_rss} MB (target: 300 MB)"
python3 - "$IMPORT_SECONDS" "$ratio" "$scan_rss" <<'PY'
import sys
imp, ratio, rss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
ok = imp <= 300 and ratio <= 2 and rss < 300
print("result:  " + ("all targets met" if ok else "TARGET MISSED"))
sys.exit(0 if ok else 1)
PY
