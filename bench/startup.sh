#!/usr/bin/env bash
# The start-up benchmark (docs/PERFORMANCE.md): how long `daftar serve` takes from launch
# until /healthz answers 200 on an empty database (bench/serve-until-healthy.sh), against
# two baselines in the same hyperfine run: the process starting alone (`daftar --version`)
# and a bare axum server started by the same script (`daftar-bench serve`), which is the
# script's own cost (bash, curl polling, listening). On SQLite every run gets a new data
# directory; on PostgreSQL every run a database that is dropped before it (serve creates it)
# or, in the second case, dropped and created empty before it.
#   bench/startup.sh [sqlite] [postgres]        (default: both)
# Environment: RUNS (30), WARMUP (3), POSTGRES_SERVER (postgres://postgres@127.0.0.1:5432),
# OUT (a directory for hyperfine's Markdown and JSON; default: a temporary one).
# The target: `daftar serve` starts in under a second on an empty database.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
POSTGRES_SERVER=${POSTGRES_SERVER:-postgres://postgres@127.0.0.1:5432}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)

cargo build --release -q -p daftar -p daftar-bench
daftar=target/release/daftar
bench=target/release/daftar-bench
common=(-N --warmup "$WARMUP" --runs "$RUNS" --style basic)

echo "# Start-up benchmark, $(date -u +%FT%TZ)"
echo
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each after $WARMUP warm-up runs."
for backend in "${backends[@]}"; do
  echo
  echo "## $backend"
  echo
  case $backend in
    sqlite)
      hyperfine "${common[@]}" \
        --export-markdown "$OUT/startup-sqlite.md" --export-json "$OUT/startup-sqlite.json" \
        -n 'process start (daftar --version)' "$daftar --version" \
        -n 'bare server until /healthz answers' "bench/serve-until-healthy.sh $bench" \
        -n 'daftar serve until /healthz answers (new SQLite file)' \
        "bench/serve-until-healthy.sh $daftar" >&2
      cat "$OUT/startup-sqlite.md"
      ;;
    postgres)
      db="$POSTGRES_SERVER/daftar_bench_startup_$$"
      trap '"$bench" database drop "$db" || true' EXIT
      hyperfine "${common[@]}" \
        --export-markdown "$OUT/startup-postgres.md" --export-json "$OUT/startup-postgres.json" \
        -p true -p true -p "$bench database drop $db" -p "$bench database recreate $db" \
        -n 'process start (daftar --version)' "$daftar --version" \
        -n 'bare server until /healthz answers' "bench/serve-until-healthy.sh $bench" \
        -n 'daftar serve until /healthz answers (database missing: serve creates it)' \
        "bench/serve-until-healthy.sh $daftar $db" \
        -n 'daftar serve until /healthz answers (database exists, empty)' \
        "bench/serve-until-healthy.sh $daftar $db" >&2
      cat "$OUT/startup-postgres.md"
      ;;
    *) echo "unknown backend $backend (sqlite or postgres)" >&2; exit 2 ;;
  esac
done
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg). Hyperfine's exports: $OUT."
