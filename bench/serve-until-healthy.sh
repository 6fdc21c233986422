#!/usr/bin/env bash
# Starts `daftar serve` on an empty data directory and exits as soon as /healthz answers
# 200: the time this takes is Daftar's start-up time (create, migrate, listen, answer).
#   bench/serve-until-healthy.sh target/release/daftar [DATABASE_URL]
set -euo pipefail
daftar=$1
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
args=(serve --data-dir "$dir" --addr "127.0.0.1:$port")
[ -n "${2:-}" ] && args+=(--database-url "$2")
"$daftar" "${args[@]}" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { echo "daftar exited" >&2; exit 1; }
  sleep 0.005
done
