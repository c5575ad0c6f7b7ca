#!/usr/bin/env bash
# Webhook delivery benchmark: deliveries per second of `certcycle publish` delivering N pending
# events at concurrency C, side by side with `curl --parallel --parallel-max C` posting the same N
# bodies (same headers, same signatures) to the same local receiver. Target: certcycle >= 0.8 x curl.
#
# Usage: Benchmarks/webhooks.sh [N] [CONCURRENCY]      (defaults 10000 and 16)
# Needs: sqlite3, curl, python3; a fast receiver: nginx (apt-get install nginx-light) answering 204
# on 127.0.0.1. Without nginx, or with RECEIVER=python, it falls back to
# Tests/Support/webhook_receiver.py, which is slow enough to be the bottleneck for both sides.
# SCRATCH=.build-xyz builds in another scratch path (default .build). ROUNDS (default 3) runs each
# side that many times, alternating, and compares the best of each. CERTCYCLE_BIN=path measures
# that executable instead of building one (to compare a candidate change).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
CONCURRENCY=${2:-16}
SCRATCH=${SCRATCH:-.build}
ROUNDS=${ROUNDS:-3}
RECEIVER=${RECEIVER:-$(command -v nginx >/dev/null 2>&1 && echo nginx || echo python)}
OUT=$PWD/bench-out/webhooks-n$N
BIN=${CERTCYCLE_BIN:-$SCRATCH/release/certcycle}
for tool in sqlite3 curl python3; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install sqlite3 curl python3)"; exit 1; }
done
[ "$CONCURRENCY" = 16 ] || echo "note: certcycle publish always runs at Publisher's default concurrency (16); curl uses $CONCURRENCY"
[ -n "${CERTCYCLE_BIN:-}" ] || swift build -c release --scratch-path "$SCRATCH" --product certcycle >/dev/null

rm -rf "$OUT"
mkdir -p "$OUT/bodies" "$OUT/nginx/tmp"
PIDS=()
# SIGTERM, not SIGKILL: nginx's master stops its workers only when it is told to.
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The receiver ----------------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
case $RECEIVER in
nginx)
  cat > "$OUT/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_buffer_size 64k;
    client_body_temp_path $OUT/nginx/tmp/body;
    proxy_temp_path $OUT/nginx/tmp/proxy;
    fastcgi_temp_path $OUT/nginx/tmp/fastcgi;
    server {
        listen 127.0.0.1:$PORT;
        location / { return 204; }
    }
}
EOF
  nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" &
  PIDS+=($!)
  ;;
python)
  python3 Tests/Support/webhook_receiver.py --port-file "$OUT/port" >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$OUT/port" ] && break; sleep 0.1; done
  PORT=$(cat "$OUT/port")
  ;;
*) echo "RECEIVER must be nginx or python"; exit 1 ;;
esac
URL="http://127.0.0.1:$PORT/ok"
for _ in $(seq 100); do curl -s -o /dev/null -d '{}' "$URL" && break; sleep 0.1; done
echo "receiver: $RECEIVER on 127.0.0.1:$PORT; $N events; concurrency $CONCURRENCY; $(nproc) CPUs"

# A register with N pending deliveries ------------------------------------------------------
# A fresh register (certcycle import of a small generated one), then N events of N distinct
# certificates put straight into its outbox (schema: Sources/CertCycleRegister/SQLiteRegister.swift),
# due now, for an endpoint already synced (so no snapshots are added).
"$BIN" generate --certificates 10 --seed 1 --out "$OUT/register" >/dev/null
"$BIN" import "$OUT/register" --db "sqlite:$OUT/reg.sqlite" >/dev/null
sqlite3 "$OUT/reg.sqlite" <<EOF
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO events (event_id, cert_no, type, effective_on, body, created_at)
SELECT printf('evt_bench%08d', i), printf('BENCH-2026-%06d', i), 'certificate.suspended', '2026-06-20',
       printf('{"type":"certificate.suspended","timestamp":"2026-06-20T01:00:00Z","data":{"certificate":"BENCH-2026-%06d","organization":"基准测试有限公司%d","status":"suspended","previous_status":"active","effective_on":"2026-06-20","scope":"为本组织员工提供职业健康安全管理体系覆盖的办公场所和生产设施的运营与维护服务","star":"none","valid_through":"2027-03-09","clause":"9.3.2.1(4)","organization_id":"ORG-%06d","issued_on":"2024-03-10","standard":"GB/T 27922-2011","service_sites":["北京市海淀区中关村大街%d号","上海市浦东新区世纪大道%d号"],"snapshot":false}}', i, i, i, i, i),
       strftime('%s', 'now')
FROM n;
INSERT INTO deliveries (endpoint, event_id, cert_no, status, attempts, next_attempt_at)
SELECT 'bench', event_id, cert_no, 'pending', 0, 0 FROM events WHERE event_id LIKE 'evt_bench%' ORDER BY event_id;
INSERT OR REPLACE INTO endpoints (name, synced_at) VALUES ('bench', strftime('%s', 'now'));
EOF
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
echo "$SECRET" > "$OUT/bench.secret"
cat > "$OUT/certcycle.toml" <<EOF
[[endpoints]]
name = "bench"
url = "$URL"
secret_file = "bench.secret"
EOF

# The same N bodies as files, and a curl config: one transfer per event, same headers and signature.
python3 - "$OUT" "$URL" "$SECRET" <<'EOF'
import base64, hashlib, hmac, sqlite3, sys, time
out, url, secret = sys.argv[1:4]
key = base64.b64decode(secret[len("whsec_"):])
timestamp = str(int(time.time()))
db = sqlite3.connect(out + "/reg.sqlite")
with open(out + "/curl.cfg", "w") as cfg:
    for n, (event_id, body) in enumerate(db.execute("SELECT event_id, body FROM events WHERE event_id LIKE 'evt_bench%' ORDER BY event_id")):
        data = body.encode()
        path = "%s/bodies/%08d.json" % (out, n)
        with open(path, "wb") as f:
            f.write(data)
        signature = base64.b64encode(hmac.new(key, ("%s.%s." % (event_id, timestamp)).encode() + data, hashlib.sha256).digest()).decode()
        if n:
            cfg.write("next\n")
        cfg.write('url = "%s"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' % (url, path))
        for header in ("content-type: application/json", "expect:", "user-agent: certcycle", "webhook-id: " + event_id,
                       "webhook-timestamp: " + timestamp, "webhook-signature: v1," + signature):
            cfg.write('header = "%s"\n' % header)
EOF
now() { python3 -c 'import time; print(time.time())'; }
reset_outbox() {
  sqlite3 "$OUT/reg.sqlite" "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0, last_status_code = NULL, last_error = NULL, delivered_at = NULL WHERE endpoint = 'bench'; DELETE FROM delivery_attempts WHERE endpoint = 'bench';"
}

# Warm the receiver up.
for i in $(seq 200); do [ "$i" = 1 ] || echo next; echo "url = \"$URL\""; echo 'data-binary = "{}"'; echo 'output = "/dev/null"'; done > "$OUT/warm.cfg"
curl -s --no-progress-meter --parallel --parallel-max "$CONCURRENCY" -K "$OUT/warm.cfg" >/dev/null 2>&1 || true

best_publish=999999; best_curl=999999
for round in $(seq "$ROUNDS"); do
  # (b) curl --parallel
  start=$(now)
  curl -s --no-progress-meter --parallel --parallel-max "$CONCURRENCY" -K "$OUT/curl.cfg" > "$OUT/curl-codes.txt" 2> "$OUT/curl.err"
  end=$(now)
  curl_ok=$(grep -c '^2' "$OUT/curl-codes.txt" || true)
  [ "$curl_ok" = "$N" ] || { echo "curl: only $curl_ok of $N answered 2xx"; cat "$OUT/curl.err"; exit 1; }
  curl_seconds=$(python3 -c "print(round($end - $start, 3))")

  # (a) certcycle publish
  reset_outbox
  start=$(now)
  "$BIN" publish --wait 0 --config "$OUT/certcycle.toml" --db "sqlite:$OUT/reg.sqlite" > "$OUT/publish.out" 2> "$OUT/publish.err" || {
    echo "certcycle publish failed:"; cat "$OUT/publish.out" "$OUT/publish.err"; exit 1; }
  end=$(now)
  publish_seconds=$(python3 -c "print(round($end - $start, 3))")
  delivered=$(sqlite3 "$OUT/reg.sqlite" "SELECT count(*) FROM deliveries WHERE endpoint = 'bench' AND status = 'delivered'")
  [ "$delivered" = "$N" ] || { echo "certcycle: only $delivered of $N delivered"; cat "$OUT/publish.out"; exit 1; }
  # Where certcycle's time went: each attempt records how long its batch spent in libcurl.
  http=$(sqlite3 "$OUT/reg.sqlite" "SELECT sum(ms) || ' ms of it in libcurl, ' || count(*) || ' batches' FROM (SELECT max(milliseconds) AS ms FROM delivery_attempts WHERE endpoint = 'bench' GROUP BY at)")
  echo "round $round: certcycle publish $publish_seconds s ($http); curl $curl_seconds s"
  best_publish=$(python3 -c "print(min($best_publish, $publish_seconds))")
  best_curl=$(python3 -c "print(min($best_curl, $curl_seconds))")
done

python3 - "$N" "$best_publish" "$best_curl" "$RECEIVER" <<'EOF'
import sys
n, a, b, receiver = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ra, rb = n / a, n / b
print("best of each round, receiver %s:" % receiver)
print("(a) certcycle publish        %8d deliveries in %7.2f s = %8.0f /s" % (n, a, ra))
print("(b) curl --parallel          %8d requests   in %7.2f s = %8.0f /s" % (n, b, rb))
print("ratio (a)/(b) = %.2f (target: >= 0.8)" % (ra / rb))
print("result:  target met" if ra / rb >= 0.8 else "result:  TARGET MISSED")
sys.exit(0 if ra / rb >= 0.8 else 1)
EOF
