#!/usr/bin/env bash
# Daftar's Open311 endpoint against an independent client library (georeport, from PyPI),
# in JSON and in XML: a demo server, a key issued with `daftar open311 issue`, then
# client_test.py. With DAFTAR_DATABASE_URL set, the server and the key use that database.
#
#   tests/open311/run.sh PATH/TO/daftar
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH/TO/daftar" >&2
  exit 2
fi
DAFTAR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"

if ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.installed" 2>/dev/null; then
  echo "== installing georeport into $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$VENV/requirements.installed"
fi
PY="$VENV/bin/python"

DATA="$(mktemp -d "${TMPDIR:-/tmp}/daftar-open311.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

DB_ARGS=()
if [ -n "${DAFTAR_DATABASE_URL:-}" ]; then DB_ARGS=(--database-url "$DAFTAR_DATABASE_URL"); fi
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
"$DAFTAR" serve --demo --data-dir "$DATA" "${DB_ARGS[@]}" --addr "127.0.0.1:$PORT" \
  >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited:" >&2; cat "$DATA/server.log" >&2; exit 1
  fi
  sleep 0.2
done
KEY="$("$DAFTAR" open311 issue --data-dir "$DATA" "${DB_ARGS[@]}" "georeport test" 2>/dev/null)"
"$PY" "$HERE/client_test.py" "$BASE/open311/v2" "$KEY"
