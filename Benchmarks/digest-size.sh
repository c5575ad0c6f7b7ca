#!/usr/bin/env bash
# Issue 8 measurement: how big the staff digest of a 40,000-certificate register is, and how
# long headless Chromium takes to open and lay it out (a screenshot, 1280 px wide), on the
# register's first night (every open obligation listed, most of it backlog) and the night after.
# Usage: Benchmarks/digest-size.sh [N] [DATE]   (BIN=path/to/certcycle to use another build)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-40000}
DATE=${2:-2026-12-02}
OUT=bench-out/digest-n$N
BIN=${BIN:-.build/release/certcycle}
[ -x "$BIN" ] || swift build -c release --product certcycle >/dev/null
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
command -v chromium >/dev/null || { echo "needs chromium (apt-get install chromium fonts-noto-cjk)"; exit 1; }
mkdir -p "$OUT"
. Benchmarks/lib.sh
chmod -R u+w "$OUT/notices" 2>/dev/null || true
rm -rf "$OUT/notices" "$OUT/reg.sqlite"*
ensure_register "$N"
measure "import $N certificates" "$BIN" import "$OUT/register" --db "sqlite:$OUT/reg.sqlite"
PREVIOUS=$(python3 -c "import datetime; print(datetime.date.fromisoformat('$DATE') - datetime.timedelta(days=1))")
measure "first night ($PREVIOUS)" "$BIN" run --as-of "$PREVIOUS" --db "sqlite:$OUT/reg.sqlite" --notices "$OUT/notices"
measure "next night ($DATE)" "$BIN" run --as-of "$DATE" --db "sqlite:$OUT/reg.sqlite" --notices "$OUT/notices"
for day in "$PREVIOUS" "$DATE"; do
  folder=$OUT/notices/$day
  html=$(stat -c %s "$folder/digest.html"); gz=$(gzip -c "$folder/digest.html" | wc -c)
  rows=$(grep -c '<tr data-k=' "$folder/digest.html" || true)
  printf '%s: digest.html %.1f MB (%.1f MB gzipped), %d rows; digest.md %.1f MB; obligations.csv %.1f MB\n' "$day" \
    "$(echo "$html / 1048576" | bc -l)" "$(echo "$gz / 1048576" | bc -l)" "$rows" \
    "$(echo "$(stat -c %s "$folder/digest.md") / 1048576" | bc -l)" "$(echo "$(stat -c %s "$folder/obligations.csv") / 1048576" | bc -l)"
  measure "chromium opens and lays out $day" chromium --headless --no-sandbox --disable-gpu --user-data-dir="$OUT/chrome" \
    --window-size=1280,900 --screenshot="$OUT/$day.png" "file://$PWD/$folder/digest.html"
done
