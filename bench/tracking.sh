#!/usr/bin/env bash
# The tracking benchmark (docs/PERFORMANCE.md): GET /api/v1/bills/track on `daftar serve`
# against a bare axum handler answering a fixed JSON object (`daftar-bench bare`), both
# under the same wrk load in the same run, on SQLite and on PostgreSQL.
#   bench/tracking.sh [sqlite] [postgres]        (default: both)
# Environment: PROPERTIES (10000 properties billed, half of the bills paid), PAIRS (500
# bill_id,payment_id pairs rotated through), THREADS (2), CONNECTIONS (64), DURATION (15s),
# ROUNDS (1: each round runs the bare server, then Daftar), POSTGRES_SERVER
# (postgres://postgres@127.0.0.1:5432), SERVE_FLAGS (extra flags for `daftar serve`),
# LIMIT_CLIENTS (0; N adds a third server: `daftar serve` with the look-up limit counted
# in the database, at LIMIT per client and minute (600), under load from N client
# addresses in X-Forwarded-For; the others are served the same load without a limit).
# The target: tracking at least 60% of the bare handler's requests per second.
set -euo pipefail
cd "$(dirname "$0")/.."
PROPERTIES=${PROPERTIES:-10000}
PAIRS=${PAIRS:-500}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-1}
LIMIT_CLIENTS=${LIMIT_CLIENTS:-0}
LIMIT=${LIMIT:-600}
POSTGRES_SERVER=${POSTGRES_SERVER:-postgres://postgres@127.0.0.1:5432}
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)

cargo build --release -q -p daftar -p daftar-bench
daftar=target/release/daftar
bench=target/release/daftar-bench

# The public tracking endpoint is rate-limited per client address; wrk is one address.
serve_flags=()
read -r -a serve_flags <<<"${SERVE_FLAGS:-}"

pids=()
dirs=()
databases=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for db in "${databases[@]}"; do "$bench" database drop "$db" || true; done
  for dir in "${dirs[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

wait_healthy() {
  local port=$1 pid=$2
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "the server on port $port exited" >&2; exit 1; }
    sleep 0.05
  done
}

# Runs wrk against a server; prints the RESULT fields.
load() {
  local port=$1
  TRACK_PAIRS=$pairs TRACK_CLIENTS=$LIMIT_CLIENTS wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/track.lua \
    "http://127.0.0.1:$port" | awk '/^RESULT/ {$1=""; print substr($0, 2)}'
}

echo "# Tracking benchmark, $(date -u +%FT%TZ)"
echo
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine; $PROPERTIES properties, $PAIRS pairs."
echo
echo "| backend | server | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
summary=()
for backend in "${backends[@]}"; do
  dir=$(mktemp -d)
  dirs+=("$dir")
  case $backend in
    sqlite) url="sqlite://$dir/daftar.db" ;;
    postgres)
      url="$POSTGRES_SERVER/daftar_bench_tracking_$$"
      databases+=("$url")
      ;;
    *) echo "unknown backend $backend (sqlite or postgres)" >&2; exit 2 ;;
  esac
  "$bench" billing --properties "$PROPERTIES" --pay-percent 50 --no-baseline --keep-db \
    --database-url "$url" >"$dir/setup.txt" 2>&1 || { cat "$dir/setup.txt" >&2; exit 1; }
  "$daftar" bills export --year 1405 --data-dir "$dir" --database-url "$url" \
    --output "$dir/bills.csv" >/dev/null 2>&1
  pairs="$dir/pairs.csv"
  tail -n +2 "$dir/bills.csv" | shuf -n "$PAIRS" --random-source=<(yes) | cut -d, -f1,2 >"$pairs"

  daftar_port=$((20000 + RANDOM % 20000))
  bare_port=$((daftar_port + 1))
  RUST_LOG=warn "$daftar" serve --data-dir "$dir" --database-url "$url" \
    --addr "127.0.0.1:$daftar_port" "${serve_flags[@]}" >"$dir/serve.log" 2>&1 &
  pids+=($!)
  wait_healthy "$daftar_port" $!
  "$bench" bare --addr "127.0.0.1:$bare_port" >/dev/null 2>&1 &
  pids+=($!)
  wait_healthy "$bare_port" $!
  servers=(bare daftar)
  if [ "$LIMIT_CLIENTS" != 0 ]; then
    limited_port=$((daftar_port + 2))
    RUST_LOG=warn "$daftar" serve --data-dir "$dir" --database-url "$url" \
      --addr "127.0.0.1:$limited_port" "${serve_flags[@]}" \
      --trust-forwarded-for --lookup-rate-limit "$LIMIT" >"$dir/serve-limited.log" 2>&1 &
    pids+=($!)
    wait_healthy "$limited_port" $!
    servers+=(limited)
  fi

  IFS=, read -r bill payment <"$pairs"
  status=$(curl -s -o "$dir/answer.json" -w '%{http_code}' \
    "http://127.0.0.1:$daftar_port/api/v1/bills/track?bill_id=$bill&payment_id=$payment")
  if [ "$status" != 200 ]; then
    echo "GET /api/v1/bills/track answered $status on $backend, not 200:" >&2
    cat "$dir/answer.json" >&2
    exit 1
  fi

  void=
  bare_total=0
  daftar_total=0
  limited_total=0
  for _ in $(seq "$ROUNDS"); do
    for server in "${servers[@]}"; do
      port=$bare_port
      [ $server = daftar ] && port=$daftar_port
      [ $server = limited ] && port=$limited_port
      read -r rps p50 p90 p99 max non2xx socket requests < <(load "$port")
      echo "| $backend | $server | $rps | $p50 | $p90 | $p99 | $max | $non2xx | $socket |"
      if [ "$non2xx" != 0 ] || [ "$socket" != 0 ]; then
        void="$backend: $server answered $non2xx times other than 2xx and had $socket socket errors: the comparison is void (rate limit?)."
      fi
      case $server in
        bare) bare_total=$(awk -v a="$bare_total" -v b="$rps" 'BEGIN {print a + b}') ;;
        daftar) daftar_total=$(awk -v a="$daftar_total" -v b="$rps" 'BEGIN {print a + b}') ;;
        limited) limited_total=$(awk -v a="$limited_total" -v b="$rps" 'BEGIN {print a + b}') ;;
      esac
    done
  done
  ratio=$(awk -v a="$daftar_total" -v b="$bare_total" 'BEGIN {printf "%.1f", 100 * a / b}')
  verdict=$(awk -v r="$ratio" 'BEGIN {print (r >= 60 ? "met" : "missed")}')
  summary+=("$backend: tracking answers ${ratio}% of the bare handler's requests per second (target ≥ 60%: $verdict).")
  if [ "$LIMIT_CLIENTS" != 0 ]; then
    cost=$(awk -v a="$limited_total" -v b="$daftar_total" 'BEGIN {printf "%.1f", 100 * (1 - a / b)}')
    summary+=("$backend: the look-up limit counted in the database ($LIMIT a minute, $LIMIT_CLIENTS clients) costs ${cost}% of tracking's requests per second.")
  fi
  [ -z "$void" ] || summary+=("$void")

  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
done
echo
for line in "${summary[@]}"; do echo "$line"; done
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
