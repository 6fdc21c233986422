#!/usr/bin/env bash
# The survey results benchmark (docs/PERFORMANCE.md): GET /surveys?month=1405-09, the
# public page of a month's results per unit and per service with their charts, on
# `daftar serve` over 1,000,000 survey responses (`daftar-bench surveys`: closed cases
# with a response each over the twelve months of 1405, and their tallies), against a
# bare axum handler answering a fixed page of the same size (`daftar-bench bare`), under
# the same wrk load in the same run.
#   bench/surveys.sh
# Environment: DATABASE_URL (an SQLite file in a temporary directory; or
# postgres://postgres@127.0.0.1:5432/daftar_bench_surveys, created and dropped here),
# RESPONSES (1000000), THREADS (2), CONNECTIONS (16), DURATION (15s), ROUNDS (3: each
# round runs the bare server, then Daftar). The target: p99 ≤ 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
RESPONSES=${RESPONSES:-1000000}
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
month=$("$bench" surveys --into "$url" --responses "$RESPONSES")

daftar_port=$((20000 + RANDOM % 20000))
bare_port=$((daftar_port + 1))
RUST_LOG=warn "$daftar" serve --data-dir "$dir" --database-url "$url" \
  --addr "127.0.0.1:$daftar_port" >"$dir/serve.log" 2>&1 &
pids+=($!)
wait_healthy "$daftar_port" $!

path="/surveys?month=$month"
status=$(curl -s -o "$dir/page.html" -w '%{http_code}' "http://127.0.0.1:$daftar_port$path")
[ "$status" = 200 ] || { echo "$path answered $status" >&2; cat "$dir/page.html" >&2; exit 1; }
charts=$(grep -o '<svg class="bar"' "$dir/page.html" | wc -l)
[ "$charts" -gt 100 ] || { echo "$path drew $charts bars" >&2; exit 1; }
bytes=$(wc -c <"$dir/page.html")
"$bench" bare --addr "127.0.0.1:$bare_port" >/dev/null 2>&1 &
pids+=($!)
wait_healthy "$bare_port" $!

echo "# Survey results benchmark, $(date -u +%FT%TZ)"
echo
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine; ${url%%:*}, $RESPONSES responses;" \
  "Daftar's page for $month: $bytes bytes, $charts bars."
echo
echo "| round | server | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
p99s=()
for round in $(seq "$ROUNDS"); do
  for server in bare daftar; do
    target="http://127.0.0.1:$daftar_port"
    survey_path=$path
    if [ $server = bare ]; then target="http://127.0.0.1:$bare_port"; survey_path="/surveys?bytes=$bytes"; fi
    read -r rps p50 p90 p99 max non2xx socket _ < <(SURVEY_PATH="$survey_path" wrk -t"$THREADS" \
      -c"$CONNECTIONS" -d"$DURATION" -s bench/surveys.lua "$target" |
      awk '/^RESULT/ {$1=""; print substr($0, 2)}')
    echo "| $round | $server | $rps | $p50 | $p90 | $p99 | $max | $non2xx | $socket |"
    [ $server = daftar ] && p99s+=("$p99")
  done
done
echo
echo "Daftar's page p99: ${p99s[*]} ms, round by round (target: ≤ 50 ms)."
