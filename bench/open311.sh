#!/usr/bin/env bash
# The Open311 list benchmark (docs/PERFORMANCE.md): GET /open311/v2/requests.json with the
# standard's filters (a service code, open ones, the default 90-day window: the newest 100),
# on `daftar serve` over 1,000,000 complaints (`daftar-bench open311`: cases of the
# complaint workflow with their register rows, filed over the last 360 days), against a
# bare axum handler answering a fixed body of the same size (`daftar-bench bare`), under
# the same wrk load in the same run.
#   bench/open311.sh
# Environment: DATABASE_URL (an SQLite file in a temporary directory; or
# postgres://postgres@127.0.0.1:5432/daftar_bench_open311, created and dropped here),
# REQUESTS (1000000), THREADS (2), CONNECTIONS (16), DURATION (15s), ROUNDS (3: each
# round runs the bare server, then Daftar). The target: p99 ≤ 20 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-1000000}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-3}

cargo build --release -q -p daftar -p daftar-bench
daftar=target/release/daftar
bench=target/release/daftar-bench

pids=()
dir=$(mktemp -d)
url=${DATABASE_URL:-sqlite://$dir/daftar.db}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  case $url in postgres*) "$bench" database drop "$url" >/dev/null 2>&1 || true ;; esac
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

case $url in postgres*) "$bench" database recreate "$url" >/dev/null ;; esac
"$bench" open311 --into "$url" --requests "$REQUESTS"

daftar_port=$((20000 + RANDOM % 20000))
bare_port=$((daftar_port + 1))
RUST_LOG=warn "$daftar" serve --data-dir "$dir" --database-url "$url" \
  --addr "127.0.0.1:$daftar_port" >"$dir/serve.log" 2>&1 &
pids+=($!)
wait_healthy "$daftar_port" $!

path="/open311/v2/requests.json?service_code=service_complaint&status=open"
status=$(curl -s -o "$dir/list.json" -w '%{http_code}' "http://127.0.0.1:$daftar_port$path")
[ "$status" = 200 ] || { echo "$path answered $status" >&2; cat "$dir/list.json" >&2; exit 1; }
listed=$(grep -o '"service_request_id"' "$dir/list.json" | wc -l)
[ "$listed" = 100 ] || { echo "$path listed $listed requests" >&2; exit 1; }
bytes=$(wc -c <"$dir/list.json")
"$bench" bare --addr "127.0.0.1:$bare_port" >/dev/null 2>&1 &
pids+=($!)
wait_healthy "$bare_port" $!

echo "# Open311 list benchmark, $(date -u +%FT%TZ)"
echo
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine; ${url%%:*}, $REQUESTS complaints;" \
  "Daftar's list: $listed requests, $bytes bytes."
echo
echo "| round | server | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
p99s=()
for round in $(seq "$ROUNDS"); do
  for server in bare daftar; do
    target="http://127.0.0.1:$daftar_port"
    list_path=$path
    # The bare server's fixed body of the same size (its survey page route).
    if [ $server = bare ]; then target="http://127.0.0.1:$bare_port"; list_path="/surveys?bytes=$bytes"; fi
    read -r rps p50 p90 p99 max non2xx socket _ < <(SURVEY_PATH="$list_path" wrk -t"$THREADS" \
      -c"$CONNECTIONS" -d"$DURATION" -s bench/surveys.lua "$target" |
      awk '/^RESULT/ {$1=""; print substr($0, 2)}')
    echo "| $round | $server | $rps | $p50 | $p90 | $p99 | $max | $non2xx | $socket |"
    [ $server = daftar ] && p99s+=("$p99")
  done
done
echo
echo "Daftar's list p99: ${p99s[*]} ms, round by round (target: ≤ 20 ms)."
