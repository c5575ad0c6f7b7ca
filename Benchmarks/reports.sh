#!/usr/bin/env bash
# Issue 14 benchmark: on the generated register of N certificates (default 1,000,000),
# `report monthly` and `forecast` (12 months) must each take at most 2x the time of
# `certcycle scan` for one date, and stay under 300 MB.
# Usage: Benchmarks/reports.sh [N] [MONTH]   (run Benchmarks/register-scan.sh N first: it builds the register)
# BIN=path/to/certcycle overrides the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
MONTH=${2:-2026-05}
OUT=bench-out/n$N
[ -f "$OUT/reg.sqlite" ] || { echo "no register in $OUT: run Benchmarks/register-scan.sh $N first"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product certcycle >/dev/null
  BIN=.build/release/certcycle
fi
# The report is made the 3rd of the next month; the forecast and the scan are for that day.
ASOF=$(python3 -c "import datetime; y,m=map(int,'$MONTH'.split('-')); y,m=(y+1,1) if m==12 else (y,m+1); print(datetime.date(y,m,3))")
RUN=$OUT/reports
chmod -R u+w "$RUN" 2>/dev/null || true
rm -rf "$RUN"
mkdir -p "$RUN"
sqlite3 "$OUT/reg.sqlite" ".backup '$RUN/reg.sqlite'"
DB="sqlite:$RUN/reg.sqlite"

OUT=$RUN
MEASURE_STDERR=$RUN/stderr.txt
. Benchmarks/lib.sh

measure "scan --format jsonl ($ASOF)" "$BIN" scan --as-of "$ASOF" --format jsonl --db "$DB"
scan=$LAST_SECONDS
measure "report monthly --month $MONTH" "$BIN" report monthly --month "$MONTH" --as-of "$ASOF" --db "$DB" --notices "$RUN/notices"
report=$LAST_SECONDS; report_mb=$LAST_RSS_MB
measure "forecast --months 12 --format jsonl" "$BIN" forecast --as-of "$ASOF" --months 12 --format jsonl --db "$DB"
forecast=$LAST_SECONDS; forecast_mb=$LAST_RSS_MB
measure "scan --format jsonl ($ASOF, again)" "$BIN" scan --as-of "$ASOF" --format jsonl --db "$DB"
scan=$(python3 -c "print(min($scan, $LAST_SECONDS))")
ls -l "$RUN"/notices/reports/*/ | sed 's/^/  /'
echo
r1=$(python3 -c "print(round($report / $scan, 2))")
r2=$(python3 -c "print(round($forecast / $scan, 2))")
echo "report monthly: ${report} s vs scan ${scan} s = ${r1}x, ${report_mb} MB (target: 2x, < 300 MB)"
echo "forecast:       ${forecast} s vs scan ${scan} s = ${r2}x, ${forecast_mb} MB (target: 2x, < 300 MB)"
python3 -c "import sys; sys.exit(0 if $r1 <= 2 and $r2 <= 2 and $report_mb < 300 and $forecast_mb < 300 else 1)" \
  && echo "result:  targets met" || { echo "result:  TARGET MISSED"; exit 1; }
