#!/usr/bin/env bash
# Issue 3 benchmark: on the generated register of N certificates (default 1,000,000), a
# steady-state nightly run (the night after a first run) must take at most 3x the time of
# `certcycle scan` for the same date.
# Usage: Benchmarks/nightly-run.sh [N] [DATE]   (run Benchmarks/register-scan.sh N first: it builds the register)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DATE=${2:-2026-06-30}
OUT=bench-out/n$N
BIN=.build/release/certcycle
[ -f "$OUT/reg.sqlite" ] || { echo "no register in $OUT: run Benchmarks/register-scan.sh $N first"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
swift build -c release --product certcycle >/dev/null

PREVIOUS=$(python3 -c "import datetime,sys; d=datetime.date.fromisoformat('$DATE'); print(d - datetime.timedelta(days=1))")
RUN=$OUT/nightly
chmod -R u+w "$RUN" 2>/dev/null || true
rm -rf "$RUN"
mkdir -p "$RUN"
sqlite3 "$OUT/reg.sqlite" ".backup '$RUN/reg.sqlite'"
DB="sqlite:$RUN/reg.sqlite"

OUT=$RUN
MEASURE_STDERR=$RUN/stderr.txt
. Benchmarks/lib.sh

measure "first run ($PREVIOUS)" "$BIN" run --as-of "$PREVIOUS" --db "$DB" --notices "$RUN/notices"

measure "scan --format jsonl ($DATE)" "$BIN" scan --as-of "$DATE" --format jsonl --db "$DB"
best_scan=$LAST_SECONDS
measure "steady-state run ($DATE)" "$BIN" run --as-of "$DATE" --db "$DB" --notices "$RUN/notices"
best_run=$LAST_SECONDS
grep -h "day done" "$RUN/stderr.txt" | tail -1 || true
measure "scan --format jsonl ($DATE, again)" "$BIN" scan --as-of "$DATE" --format jsonl --db "$DB"
best_scan=$(python3 -c "print(min($best_scan, $LAST_SECONDS))")
ratio=$(python3 -c "print(round($best_run / $best_scan, 2))")
echo
echo "steady-state run: ${best_run} s vs scan ${best_scan} s = ${ratio}x (target: 3x)"
python3 -c "import sys; sys.exit(0 if $ratio <= 3 else 1)" && echo "result:  target met" || { echo "result:  TARGET MISSED"; exit 1; }
