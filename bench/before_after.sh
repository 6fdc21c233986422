#!/usr/bin/env bash
# A change measured against the code before it, side by side in the same run
# (docs/PERFORMANCE.md, "Before and after"): the tracking look-up, billing a year and case
# transitions, each on the binaries of BASELINE (a checkout of the earlier commit, built
# with `cargo build --release -p daftar -p daftar-bench`) and of this tree, alternating,
# ROUNDS times.
#   bench/before_after.sh BASELINE [tracking] [billing] [cases]     (default: all three)
# Environment: ROUNDS (3), PROPERTIES (tracking: 10000), BILLING_PROPERTIES (1000000),
# CASES (1000), CLERKS (64), DURATION (wrk, 15s), POSTGRES_SERVER
# (postgres://postgres@127.0.0.1:5432). Each binary gets databases of its own: a newer
# binary's migrations are unknown to an older one.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:?the baseline checkout, built in release}
shift
ROUNDS=${ROUNDS:-3}
PROPERTIES=${PROPERTIES:-10000}
BILLING_PROPERTIES=${BILLING_PROPERTIES:-1000000}
CASES=${CASES:-1000}
CLERKS=${CLERKS:-64}
DURATION=${DURATION:-15s}
POSTGRES_SERVER=${POSTGRES_SERVER:-postgres://postgres@127.0.0.1:5432}
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(tracking billing cases)

cargo build --release -q -p daftar -p daftar-bench
declare -A daftar=([before]="$baseline/target/release/daftar" [after]=target/release/daftar)
declare -A bench=([before]="$baseline/target/release/daftar-bench" [after]=target/release/daftar-bench)
for side in before after; do
  [ -x "${daftar[$side]}" ] && [ -x "${bench[$side]}" ] || {
    echo "no release binaries for $side" >&2
    exit 2
  }
done

pids=()
dirs=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for dir in "${dirs[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

wait_healthy() {
  until curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; do
    kill -0 "$2" 2>/dev/null || { echo "the server on port $1 exited" >&2; exit 1; }
    sleep 0.05
  done
}

echo "# Before and after, $(date -u +%FT%TZ)"
echo
echo "before: $(git -C "$baseline" log -1 --format='%h %s' | cut -c1-80)"
echo "after: $(git log -1 --format='%h' 2>/dev/null)$(git diff --quiet || echo ' + uncommitted changes')"
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)."

tracking() {
  echo
  echo "## Tracking (SQLite, $PROPERTIES properties, wrk -t2 -c64 -d$DURATION)"
  echo
  echo "| round | side | requests/s | p50 ms | p99 ms | non-2xx |"
  echo "|---:|---|---:|---:|---:|---:|"
  declare -A port
  for side in before after; do
    dir=$(mktemp -d)
    dirs+=("$dir")
    url="sqlite://$dir/daftar.db"
    "${bench[$side]}" billing --properties "$PROPERTIES" --pay-percent 50 --no-baseline --keep-db \
      --database-url "$url" >"$dir/setup.txt" 2>&1 || { cat "$dir/setup.txt" >&2; exit 1; }
    "${daftar[$side]}" bills export --year 1405 --data-dir "$dir" --database-url "$url" \
      --output "$dir/bills.csv" >/dev/null 2>&1
    tail -n +2 "$dir/bills.csv" | shuf -n 500 --random-source=<(yes) | cut -d, -f1,2 >"$dir/pairs.csv"
    port[$side]=$((20000 + RANDOM % 20000))
    RUST_LOG=warn "${daftar[$side]}" serve --data-dir "$dir" --database-url "$url" \
      --addr "127.0.0.1:${port[$side]}" --lookup-rate-limit 0 >"$dir/serve.log" 2>&1 &
    pids+=($!)
    wait_healthy "${port[$side]}" $!
    declare -g "pairs_$side=$dir/pairs.csv"
  done
  for round in $(seq "$ROUNDS"); do
    for side in before after; do
      pairs_var="pairs_$side"
      read -r rps p50 _ p99 _ non2xx _ _ < <(TRACK_PAIRS=${!pairs_var} wrk -t2 -c64 -d"$DURATION" \
        -s bench/track.lua "http://127.0.0.1:${port[$side]}" | awk '/^RESULT/ {$1=""; print substr($0, 2)}')
      echo "| $round | $side | $rps | $p50 | $p99 | $non2xx |"
    done
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
}

billing() {
  echo
  echo "## Billing a year (SQLite, $BILLING_PROPERTIES properties)"
  for round in $(seq "$ROUNDS"); do
    for side in before after; do
      echo
      echo "### Round $round, $side"
      echo
      "${bench[$side]}" billing --properties "$BILLING_PROPERTIES" 2>/dev/null
    done
  done
}

cases() {
  for db in sqlite postgres; do
    echo
    echo "## Case transitions ($db, $CASES cases, $CLERKS clerks)"
    url_flag=()
    [ $db = postgres ] && url_flag=(--database-url "$POSTGRES_SERVER")
    for round in $(seq "$ROUNDS"); do
      for side in before after; do
        echo
        echo "### Round $round, $side"
        echo
        "${bench[$side]}" cases --queue-cases 0 --cases "$CASES" --clerks "$CLERKS" \
          "${url_flag[@]}" 2>/dev/null
      done
    done
  done
}

for part in "${parts[@]}"; do
  case $part in
    tracking | billing | cases) "$part" ;;
    *) echo "unknown part $part (tracking, billing or cases)" >&2; exit 2 ;;
  esac
done
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
