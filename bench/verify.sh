#!/usr/bin/env bash
# The verify benchmark (docs/PERFORMANCE.md): GET /verify/{serial}, the public page that
# says whether an issued document holds (its signature checked on every look-up), on
# `daftar serve` over SQLite with 1,000 certificates issued, against a bare axum handler
# answering a fixed page of the same size (`daftar-bench bare`), under the same wrk load
# in the same run; and the rendering of a certificate's PDF (`daftar-bench documents`).
#   bench/verify.sh
# Environment: SERIALS (1000), THREADS (2), CONNECTIONS (64), DURATION (15s), ROUNDS (3:
# each round runs the bare server, then Daftar). The targets: the page at ≥ 50% of the
# bare handler's requests/s; a certificate rendered and signed at p99 ≤ 50 ms, ≥ 40/s.
set -euo pipefail
cd "$(dirname "$0")/.."
SERIALS=${SERIALS:-1000}
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

url="sqlite://$dir/daftar.db"
"$bench" documents --issue-into "$url" --data-dir "$dir" --serials "$dir/serials.txt" \
  --count "$SERIALS" >/dev/null

daftar_port=$((20000 + RANDOM % 20000))
bare_port=$((daftar_port + 1))
# The page is rate-limited per client address, and wrk is one address.
RUST_LOG=warn "$daftar" serve --data-dir "$dir" --database-url "$url" --lookup-rate-limit 0 \
  --addr "127.0.0.1:$daftar_port" >"$dir/serve.log" 2>&1 &
pids+=($!)
wait_healthy "$daftar_port" $!
"$bench" bare --addr "127.0.0.1:$bare_port" >/dev/null 2>&1 &
pids+=($!)
wait_healthy "$bare_port" $!

serial=$(head -n 1 "$dir/serials.txt")
status=$(curl -s -o "$dir/page.html" -w '%{http_code}' "http://127.0.0.1:$daftar_port/verify/$serial")
[ "$status" = 200 ] || { echo "/verify/$serial answered $status" >&2; cat "$dir/page.html" >&2; exit 1; }
grep -q 'data-status="valid"' "$dir/page.html" || { echo "/verify/$serial does not say valid" >&2; exit 1; }

echo "# Verify benchmark, $(date -u +%FT%TZ)"
echo
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine; SQLite, $SERIALS certificates;" \
  "Daftar's page $(wc -c <"$dir/page.html") bytes."
echo
echo "| round | server | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
ratios=()
for round in $(seq "$ROUNDS"); do
  bare=0
  for server in bare daftar; do
    port=$bare_port
    [ $server = daftar ] && port=$daftar_port
    read -r rps p50 p90 p99 max non2xx socket _ < <(VERIFY_SERIALS="$dir/serials.txt" wrk -t"$THREADS" \
      -c"$CONNECTIONS" -d"$DURATION" -s bench/verify.lua "http://127.0.0.1:$port" |
      awk '/^RESULT/ {$1=""; print substr($0, 2)}')
    echo "| $round | $server | $rps | $p50 | $p90 | $p99 | $max | $non2xx | $socket |"
    if [ $server = bare ]; then bare=$rps; else
      ratios+=("$(awk -v a="$rps" -v b="$bare" 'BEGIN {printf "%.1f", 100 * a / b}')")
    fi
  done
done
echo
echo "The verify page at ${ratios[*]}% of the bare handler's requests/s, round by round (target: 50%)."
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
pids=()
echo
"$bench" documents
