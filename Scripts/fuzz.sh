#!/usr/bin/env bash
# Runs one libFuzzer target of Fuzz/ for a given time:
#
#   Scripts/fuzz.sh TARGET SECONDS [libFuzzer options…]
#   TARGET: csv (the CSV reader), cells (cell and date parsers), toml (the configuration),
#           jobs (the job definitions)
#
# Builds Fuzz/ (a package of its own) with -sanitize=fuzzer,address, then fuzzes from the
# committed seeds in Fuzz/Corpus/TARGET. New inputs go to Fuzz/.build/corpus/TARGET (not
# committed); a crash is written to Fuzz/.build/crashes/TARGET/ and the script exits non-zero.
# To keep the seeds that reached new coverage small, merge them into the committed corpus:
#
#   Scripts/fuzz.sh TARGET merge
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
target=${1:?usage: Scripts/fuzz.sh csv|cells|toml|jobs SECONDS|merge}
what=${2:?usage: Scripts/fuzz.sh TARGET SECONDS|merge}
shift 2
case "$target" in
  csv) product=FuzzCSV; dict=csv.dict ;;
  cells) product=FuzzCells; dict= ;;
  toml) product=FuzzTOML; dict=toml.dict ;;
  jobs) product=FuzzJobs; dict=toml.dict ;;
  *) echo "unknown target '$target' (csv, cells, toml, jobs)" >&2; exit 64 ;;
esac
swift build -c debug -Xswiftc -sanitize=fuzzer,address --product "$product" >&2
binary="$(swift build -c debug -Xswiftc -sanitize=fuzzer,address --show-bin-path)/$product"
seeds="Corpus/$target"
work=".build/corpus/$target"
crashes=".build/crashes/$target"
mkdir -p "$seeds" "$work" "$crashes"
export CERTCYCLE_FUZZ_JOBS="$PWD/../Jobs"
options=(-artifact_prefix="$crashes/" -max_len=8192 -rss_limit_mb=2048 -timeout=20)
if [ -n "$dict" ] && [ -f "Dictionaries/$dict" ]; then options+=(-dict="Dictionaries/$dict"); fi
if [ "$what" = merge ]; then
  # Only inputs that add coverage to what the committed seeds already reach are kept.
  exec "$binary" "${options[@]}" -merge=1 "$seeds" "$work" "$@"
fi
exec "$binary" "${options[@]}" -max_total_time="$what" -print_final_stats=1 "$work" "$seeds" "$@"
