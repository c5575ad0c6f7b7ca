#!/usr/bin/env bash
# E-mail delivery benchmark: messages per second of `certcycle publish` delivering N queued
# messages (a real letter as certcycle builds it: multipart/alternative, base64) to a local
# aiosmtpd that accepts everything, side by side with `curl` sending the same N message files,
# one `curl --url smtp://… --mail-from … --mail-rcpt … --upload-file F` per message, 16 at once
# (xargs -P16). Target: certcycle >= 1 x curl.
#
# Usage: Benchmarks/mail.sh [N]      (default 10000)
# Needs: sqlite3, curl, python3 with aiosmtpd (python3 -m pip install aiosmtpd).
# SCRATCH=.build-xyz builds in another scratch path (default .build); CERTCYCLE_BIN=path measures
# that executable instead of building a release one. ROUNDS (default 2) alternates the sides that
# many times and compares the best of each.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
SCRATCH=${SCRATCH:-.build}
ROUNDS=${ROUNDS:-2}
OUT=$PWD/bench-out/mail-n$N
BIN=${CERTCYCLE_BIN:-$SCRATCH/release/certcycle}
for tool in sqlite3 curl python3; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install sqlite3 curl python3)"; exit 1; }
done
python3 -c 'import aiosmtpd' 2>/dev/null || { echo "needs aiosmtpd: python3 -m pip install aiosmtpd"; exit 1; }
[ -n "${CERTCYCLE_BIN:-}" ] || swift build -c release --scratch-path "$SCRATCH" --product certcycle >/dev/null

rm -rf "$OUT"
mkdir -p "$OUT/messages"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

python3 Tests/Support/smtp_server.py serve --port-file "$OUT/port" --folder "$OUT/box" --no-save >/dev/null 2>"$OUT/server.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$OUT/port" ] && break; sleep 0.1; done
PORT=$(cat "$OUT/port")
URL="smtp://127.0.0.1:$PORT"
echo "server: aiosmtpd on 127.0.0.1:$PORT; $N messages; $(nproc) CPUs"

# A register whose outbox holds N messages ---------------------------------------------------
# A small generated register run with [mail] pointing at a port nobody listens on, so the days'
# letters stay queued; the first letter is then copied N times, each with its own Message-ID,
# straight into the outbox (schema: Sources/CertCycleRegister/SQLiteRegister.swift).
"$BIN" generate --certificates 40 --seed 1 --around 2026-06-30 --out "$OUT/register" >/dev/null
"$BIN" import "$OUT/register" --db "sqlite:$OUT/reg.sqlite" >/dev/null
"$BIN" run --as-of 2026-06-01 --db "sqlite:$OUT/reg.sqlite" --notices "$OUT/notices" >/dev/null
DEAD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' 'delivery_budget_seconds = 5' '[mail]' "url = \"smtp://127.0.0.1:$DEAD_PORT\"" \
  'from = "杭州中奥质量认证有限公司 <cert@example.cn>"' 'staff = ["qa@example.cn"]' > "$OUT/queue.toml"
"$BIN" run --as-of 2026-06-10 --config "$OUT/queue.toml" --db "sqlite:$OUT/reg.sqlite" --notices "$OUT/notices" >/dev/null 2>&1 || true
python3 - "$OUT" "$N" <<'PY'
import json, sqlite3, sys
out, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(out + "/reg.sqlite")
event_id, body = db.execute("SELECT event_id, body FROM events WHERE type = 'mail.letter' ORDER BY event_id LIMIT 1").fetchone()
queued = json.loads(body)
db.execute("DELETE FROM delivery_attempts WHERE endpoint = 'mail'")
db.execute("DELETE FROM deliveries WHERE endpoint = 'mail'")
db.execute("DELETE FROM events WHERE type LIKE 'mail.%'")
with open(out + "/rcpt", "w") as f:
    f.write(queued["to"])
for i in range(n):
    mid = "bench%08d.letter@example.cn" % i
    message = queued["message"].replace(event_id, mid)
    db.execute("INSERT INTO events (event_id, cert_no, type, effective_on, body, created_at) VALUES (?, ?, 'mail.letter', '2026-06-10', ?, 0)",
               (mid, mid, json.dumps({"to": queued["to"], "message": message})))
    db.execute("INSERT INTO deliveries (endpoint, event_id, cert_no, status, attempts, next_attempt_at) VALUES ('mail', ?, ?, 'pending', 0, 0)", (mid, mid))
    with open("%s/messages/%08d.eml" % (out, i), "wb") as f:
        f.write(message.encode())
db.commit()
print("message: %d bytes, to %s" % (len(queued["message"].encode()), queued["to"]))
PY
RCPT=$(cat "$OUT/rcpt")
printf '%s\n' 'delivery_budget_seconds = 3600' '[mail]' "url = \"$URL\"" 'from = "杭州中奥质量认证有限公司 <cert@example.cn>"' > "$OUT/certcycle.toml"
now() { python3 -c 'import time; print(time.time())'; }
reset_outbox() {
  sqlite3 "$OUT/reg.sqlite" "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0, last_status_code = NULL, last_error = NULL, delivered_at = NULL WHERE endpoint = 'mail'; DELETE FROM delivery_attempts WHERE endpoint = 'mail';"
}

best_publish=999999; best_curl=999999
for round in $(seq "$ROUNDS"); do
  # (b) curl: one process and one connection per message, 16 at once
  start=$(now)
  find "$OUT/messages" -name '*.eml' -print0 | xargs -0 -P16 -n1 curl -s --url "$URL" --mail-from cert@example.cn --mail-rcpt "$RCPT" \
    -w '%{response_code}\n' --upload-file > "$OUT/curl-codes.txt" 2> "$OUT/curl.err" || true
  end=$(now)
  curl_ok=$(grep -c '^250' "$OUT/curl-codes.txt" || true)
  [ "$curl_ok" = "$N" ] || { echo "curl: only $curl_ok of $N accepted"; head "$OUT/curl.err"; exit 1; }
  curl_seconds=$(python3 -c "print(round($end - $start, 3))")

  # (a) certcycle publish
  reset_outbox
  start=$(now)
  "$BIN" publish --wait 0 --config "$OUT/certcycle.toml" --db "sqlite:$OUT/reg.sqlite" > "$OUT/publish.out" 2> "$OUT/publish.err" || {
    echo "certcycle publish failed:"; cat "$OUT/publish.out" "$OUT/publish.err"; exit 1; }
  end=$(now)
  publish_seconds=$(python3 -c "print(round($end - $start, 3))")
  delivered=$(sqlite3 "$OUT/reg.sqlite" "SELECT count(*) FROM deliveries WHERE endpoint = 'mail' AND status = 'delivered'")
  [ "$delivered" = "$N" ] || { echo "certcycle: only $delivered of $N delivered"; cat "$OUT/publish.out"; exit 1; }
  echo "round $round: certcycle publish $publish_seconds s; curl $curl_seconds s"
  best_publish=$(python3 -c "print(min($best_publish, $publish_seconds))")
  best_curl=$(python3 -c "print(min($best_curl, $curl_seconds))")
done

python3 - "$N" "$best_publish" "$best_curl" <<'PY'
import sys
n, a, b = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
ra, rb = n / a, n / b
print("best of each round:")
print("(a) certcycle publish          %8d messages in %7.2f s = %7.0f /s" % (n, a, ra))
print("(b) curl, xargs -P16           %8d messages in %7.2f s = %7.0f /s" % (n, b, rb))
print("ratio (a)/(b) = %.2f (target: >= 1)" % (ra / rb))
print("result:  target met" if ra / rb >= 1 else "result:  TARGET MISSED")
sys.exit(0 if ra / rb >= 1 else 1)
PY
