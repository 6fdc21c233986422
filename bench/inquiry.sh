#!/usr/bin/env bash
# The inquiry benchmark (docs/PERFORMANCE.md): GET /api/v1/zoning/inquiry at random points
# of the demo's map on `daftar serve --demo`, signed in as staff, against a bare axum
# handler answering a fixed inquiry-shaped JSON object (`daftar-bench bare`), under the
# same wrk load in the same run, on SQLite.
#   bench/inquiry.sh
# Environment: THREADS (2), CONNECTIONS (64), DURATION (15s), ROUNDS (3: each round runs
# the bare server, then Daftar). The target: at least 50% of the bare handler's requests/s.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-3}

cargo build --release -q -p daftar -p daftar-bench
daftar=target/release/daftar
bench=target/release/daftar-bench

pids=()
dir=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

wait_healthy() {
  local port=$1 pid=$2
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "the server on port $port exited" >&2; exit 1; }
    sleep 0.05
  done
}

daftar_port=$((20000 + RANDOM % 20000))
bare_port=$((daftar_port + 1))
RUST_LOG=warn "$daftar" serve --demo --data-dir "$dir" --addr "127.0.0.1:$daftar_port" >"$dir/serve.log" 2>&1 &
pids+=($!)
wait_healthy "$daftar_port" $!
"$bench" bare --addr "127.0.0.1:$bare_port" >/dev/null 2>&1 &
pids+=($!)
wait_healthy "$bare_port" $!

token=$(curl -fs -X POST -H 'content-type: application/json' \
  -d '{"username":"formation","password":"daftar-demo"}' \
  "http://127.0.0.1:$daftar_port/api/v1/auth/token" | sed -E 's/.*"token":"([^"]+)".*/\1/')
status=$(curl -s -o "$dir/answer.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$daftar_port/api/v1/zoning/inquiry?lon=51.425&lat=35.805")
[ "$status" = 200 ] || { echo "the inquiry answered $status:" >&2; cat "$dir/answer.json" >&2; exit 1; }

echo "# Inquiry benchmark, $(date -u +%FT%TZ)"
echo
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine; SQLite, the demo's map."
echo
echo "| round | server | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
  bare=0
  for server in bare daftar; do
    port=$bare_port
    [ $server = daftar ] && port=$daftar_port
    read -r rps p50 p90 p99 max non2xx socket _ < <(INQUIRY_TOKEN=$token wrk -t"$THREADS" \
      -c"$CONNECTIONS" -d"$DURATION" -s bench/inquiry.lua "http://127.0.0.1:$port" |
      awk '/^RESULT/ {$1=""; print substr($0, 2)}')
    echo "| $round | $server | $rps | $p50 | $p90 | $p99 | $max | $non2xx | $socket |"
    if [ $server = bare ]; then bare=$rps; else
      ratios+=("$(awk -v a="$rps" -v b="$bare" 'BEGIN {printf "%.1f", 100 * a / b}')")
    fi
  done
done
echo
echo "The inquiry at ${ratios[*]}% of the bare handler's requests/s, round by round (target: 50%)."
