# Shared by the benchmark scripts; source it after setting OUT (the working folder) and BIN
# (the release certcycle).

# measure LABEL CMD... : runs CMD (stdout discarded; stderr to $MEASURE_STDERR, else discarded),
# prints "LABEL seconds max-rss-MB", and keeps the numbers in $LAST_SECONDS and $LAST_RSS_MB
# (and the exit status in $LAST_STATUS). Fails as CMD does, unless called as `measure … || …`.
measure() {
  local label=$1; shift
  local status=0
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null 2>"${MEASURE_STDERR:-/dev/null}" || status=$?
  # GNU time writes "Command exited with non-zero status N" first when CMD fails.
  read -r secs kb < <(tail -1 "$OUT/time.txt")
  printf '%-40s %8.2f s   %6d MB peak%s\n' "$label" "$secs" $((kb / 1024)) "$([ $status = 0 ] || echo "   (exit $status)")"
  LAST_SECONDS=$secs
  LAST_RSS_MB=$((kb / 1024))
  LAST_STATUS=$status
  return $status
}

# ensure_register N: the generated register of N certificates (seed 1) in $OUT/register.
ensure_register() {
  if [ ! -f "$OUT/register/certificates.csv" ]; then
    measure "generate $1 certificates" "$BIN" generate --certificates "$1" --seed 1 --out "$OUT/register"
  fi
}
