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
# TOMLKit 0.6.0 leaks small C++ allocations on every parse and value read (tableCreateFromString's
# error buffer, nodeAsInt/nodeAsString): a configuration is read once per process, so this is not
# certcycle's to fix, but LeakSanitizer would stop those two targets on the first input.
# Those leaks also add up over a long run (jobs reads some 30 TOML files per input): more room.
case "$target" in toml|jobs) options+=(-detect_leaks=0 -rss_limit_mb=4096); export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ;; esac
if [ "$what" = merge ]; then
  # Only inputs that add coverage to what the committed seeds already reach are kept.
  exec "$binary" "${options[@]}" -merge=1 "$seeds" "$work" "$@"
fi
exec "$binary" "${options[@]}" -max_total_time="$what" -print_final_stats=1 "$work" "$seeds" "$@"
