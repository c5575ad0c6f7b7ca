#!/usr/bin/env bash
# Crash test at scale: kills `certcycle run` with SIGKILL at random moments and checks that
# nothing is lost or written twice.
#
#   Scripts/crash-test.sh [KILLS] [CERTIFICATES] [SEED]      (defaults: 100 10000 7)
#
# Two copies of one generated register: the reference runs night after night undisturbed; the
# victim runs the same nights, each one killed with SIGKILL after a random delay (somewhere in
# the time a night takes) and then run again to completion. Both have a webhook endpoint (a
# closed port on 127.0.0.1), so every night's events go into the outbox too. After every rerun
# `ledger verify` must pass; at the end the victim's notice files (digests, CSV, letters:
# everything but the manifests, which name ledger hashes that include wall-clock times), its
# ledger records and its outbox events must be exactly the reference's: every one present
# (0 lost) and none twice (0 duplicated). Folders a killed run left and the rerun adopted or
# set aside are counted. Needs sqlite3. Work folder: $CRASH_WORK (default /tmp/certcycle-crash);
# $CRASH_CONFIGURATION=release builds and uses the release binary (default: debug).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
certificates=${2:-10000}
seed=${3:-7}
work=${CRASH_WORK:-/tmp/certcycle-crash}
command -v sqlite3 >/dev/null || { echo "crash-test.sh needs sqlite3 (apt-get install sqlite3)" >&2; exit 69; }

configuration=${CRASH_CONFIGURATION:-debug}   # release for figures closer to production timings
swift build -c "$configuration" --product certcycle >&2
bin="$(swift build -c "$configuration" --show-bin-path)/certcycle"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
echo "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" > hook.secret
chmod 600 hook.secret
cat > certcycle.toml <<TOML
delivery_budget_seconds = 5
[[endpoints]]
name = "directory"
url = "http://127.0.0.1:9/hook"
secret_file = "hook.secret"
TOML
"$bin" generate --certificates "$certificates" --seed "$seed" --around 2026-06-30 --out register >/dev/null
for copy in reference victim; do
  "$bin" import register --db "sqlite:$copy.sqlite" >/dev/null
  "$bin" run --as-of 2026-06-01 --config certcycle.toml --db "sqlite:$copy.sqlite" --notices "$copy-notices" >/dev/null 2>&1 || [ $? = 75 ]
done

day() { date -u -d "2026-06-01 + $1 day" +%F; }
run() { # COPY DATE: a run to its end; 0 and 75 (deliveries pending) are both success
  local status=0
  "$bin" run --as-of "$2" --config certcycle.toml --db "sqlite:$1.sqlite" --notices "$1-notices" >/dev/null 2>>"$work/$1.stderr" || status=$?
  [ "$status" = 0 ] || [ "$status" = 75 ] || { echo "run $1 $2 exited $status" >&2; tail -3 "$work/$1.stderr" >&2; exit 1; }
}

killed=0; finished_first=0; verify_failures=0
for i in $(seq 1 "$kills"); do
  d=$(day "$i")
  started=$(date +%s%N)
  run reference "$d"
  took_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  # Somewhere in the first 90% of the time the night took the reference.
  delay_ms=$(( (RANDOM * 32768 + RANDOM) % (took_ms * 9 / 10 + 1) ))
  "$bin" run --as-of "$d" --config certcycle.toml --db sqlite:victim.sqlite --notices victim-notices >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then killed=$((killed + 1)); else finished_first=$((finished_first + 1)); fi
  wait "$pid" 2>/dev/null || true
  run victim "$d"
  if ! "$bin" ledger verify --db sqlite:victim.sqlite --notices victim-notices >/dev/null 2>"$work/verify.stderr"; then
    verify_failures=$((verify_failures + 1))
    echo "night $d: ledger verify failed after the rerun:" >&2
    cat "$work/verify.stderr" >&2
  fi
done

# Every notice file but the manifests, by folder and path, with its SHA-256.
files() { (cd "$1" && find . -type f ! -name manifest.json ! -path './*.unrecorded-*' ! -path './.*' -print0 | sort -z | xargs -0 sha256sum); }
files reference-notices > reference.files
files victim-notices > victim.files
ledger() { sqlite3 "$1.sqlite" "SELECT as_of || ' ' || kind || ' ' || key || ' ' || CASE WHEN kind IN ('run', 'notice') THEN '' ELSE payload END FROM ledger ORDER BY seq"; }
ledger reference > reference.ledger
ledger victim > victim.ledger
events() { sqlite3 "$1.sqlite" "SELECT event_id FROM events ORDER BY event_id; SELECT 'delivery ' || endpoint || ' ' || event_id FROM deliveries ORDER BY endpoint, event_id"; }
events reference > reference.events
events victim > victim.events
lost=$(( $(comm -23 reference.files victim.files | wc -l) + $(comm -23 <(sort reference.ledger) <(sort victim.ledger) | wc -l) + $(comm -23 reference.events victim.events | wc -l) ))
duplicated=$(( $(comm -13 reference.files victim.files | wc -l) + $(comm -13 <(sort reference.ledger) <(sort victim.ledger) | wc -l) + $(comm -13 reference.events victim.events | wc -l) ))
set_aside=$(find victim-notices -maxdepth 1 -name '*.unrecorded-*' | wc -l)
letters=$(grep -c '/letters/' reference.files || true)
echo "crash test: $kills nights on $certificates certificates; $killed runs killed with SIGKILL, $finished_first finished before the kill"
echo "reference: $(wc -l < reference.files) notice files ($letters letters), $(wc -l < reference.ledger) ledger records, $(grep -vc '^delivery' reference.events) events"
echo "victim:    lost $lost, duplicated $duplicated, ledger verify failures $verify_failures, folders set aside $set_aside"
[ "$lost" = 0 ] && [ "$duplicated" = 0 ] && [ "$verify_failures" = 0 ]
