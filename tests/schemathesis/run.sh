#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis against a demo server, once with a staff token and
# once with a citizen token: any 5xx, any answer that breaks the OpenAPI document's schema
# for its status, or any status the document does not list, fails the run.
#
#   tests/schemathesis/run.sh PATH/TO/daftar
#
# Bounded: each run fuzzes for a fixed time (schemathesis repeats its rounds of MAX_EXAMPLES
# cases per operation until --max-time is spent), so the whole thing takes about three and a
# half minutes on two cores, the first install of schemathesis included. Knobs (environment):
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation in a round (default 25)
#   SCHEMATHESIS_MAX_TIME      seconds each of the two runs fuzzes (default 80)
#   SCHEMATHESIS_SEED          the generator's seed                (default 20260101)
#   SCHEMATHESIS_STAFF_USER    the demo staff account to fuzz as  (default renewal_clearance)
#   SCHEMATHESIS_CHECKS        checks, comma-separated  (default: no 5xx, answers match
#                              their schema, statuses and content types are documented;
#                              add positive_data_acceptance to list schema-valid requests
#                              that the server refuses, such as a bad check digit)
#   SCHEMATHESIS_PHASES        phases  (default examples,coverage,fuzzing; add stateful)
#   PYTHON                     the interpreter for the virtualenv (default python3)
# Reports (JUnit and the ndjson event stream) go to tests/schemathesis/report/.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH/TO/daftar" >&2
  exit 2
fi
DAFTAR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-80}"
SEED="${SCHEMATHESIS_SEED:-20260101}"
STAFF_USER="${SCHEMATHESIS_STAFF_USER:-renewal_clearance}"
CHECKS="${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance}"
PHASES="${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing}"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"
REPORT="$HERE/report"

# --- schemathesis, pinned, in a virtualenv of its own -------------------------------------
if ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.installed" 2>/dev/null; then
  echo "== installing schemathesis into $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  cp "$HERE/requirements.txt" "$VENV/requirements.installed"
fi
ST="$VENV/bin/schemathesis"
PY="$VENV/bin/python"

# --- a demo server on a free port, with a data directory of its own -----------------------
DATA="$(mktemp -d "${TMPDIR:-/tmp}/daftar-schemathesis.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -d "$REPORT" ]; then cp "$DATA/server.log" "$REPORT/server.log" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# Public look-ups are rate-limited per address (60 a minute): off here, or nearly every
# tracking call would be a 429 and their handlers would go untested.
"$DAFTAR" serve --demo --data-dir "$DATA" --addr "127.0.0.1:$PORT" --lookup-rate-limit 0 \
  >"$DATA/server.log" 2>&1 &
SERVER_PID=$!

echo "== waiting for $BASE/healthz"
for _ in $(seq 1 300); do
  if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited:" >&2; cat "$DATA/server.log" >&2; exit 1
  fi
  sleep 0.2
done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "no /healthz after 60 s" >&2; cat "$DATA/server.log" >&2; exit 1; }

# --- the two tokens, and some data to find -----------------------------------------------
# prepare.py signs in as STAFF_USER (POST /auth/token) and as the demo citizen (a code
# asked for with POST /auth/otp, read from DATA/messages.log, given to /auth/otp/verify),
# opens two cases and a clearance, and writes their codes for schemathesis.toml.
rm -rf "$REPORT"
mkdir -p "$REPORT"
TOKENS="$("$PY" "$HERE/prepare.py" "$BASE" "$DATA" "$REPORT/seeded.dict" "$STAFF_USER")"
STAFF_TOKEN="$(sed -n 1p <<<"$TOKENS")"
CITIZEN_TOKEN="$(sed -n 2p <<<"$TOKENS")"

# --- the runs -----------------------------------------------------------------------------
# Left out: POST /auth/sign-out ends the very session whose token the run sends, and every
# call after it would be a 401. Nothing else ends a session: signing in again, wrong codes
# and wrong passwords open or refuse new sessions and lock out further sign-ins (not this
# run's, which signed in before), and the staff account is changed by no API call.
status=0
# A run fails on any failed check. One that failed with no failed check but with an error
# of schemathesis's own ("AST constructor recursion depth mismatch": CPython 3.11 keeps the
# AST builder's depth count per interpreter, not per thread, so two workers parsing at once
# upset it; one worker avoids it) is run once more with the next seed; an error that is not
# its own (the server unreachable, a timeout) fails the run as it is.
run() {
  local who="$1" token="$2" seed="${3:-$SEED}"
  if ! attempt "$who" "$token" "$seed"; then
    local junit="$REPORT/$who.junit.xml"
    if [ -f "$junit" ] && ! grep -q '<failure' "$junit" &&
      grep -q 'Runtime Error' "$junit" && [ "$seed" = "$SEED" ]; then
      echo "== schemathesis as $who met an error of its own; once more with seed $((SEED + 1))"
      run "$who" "$token" "$((SEED + 1))"
      return
    fi
    status=1
  fi
}

attempt() {
  local who="$1" token="$2" seed="$3"
  echo
  echo "== schemathesis as $who ($(date +%T))"
  # From the data directory, so nothing lands in the caller's working directory; `timeout`
  # is a backstop should --max-time not stop a run that hangs.
  if ! (cd "$DATA" && exec timeout --kill-after=10 "$((MAX_TIME + 60))" \
    "$ST" --config-file "$HERE/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
      --url "$BASE" \
      --header "Authorization: Bearer $token" \
      --exclude-path /api/v1/auth/sign-out \
      --checks "$CHECKS" \
      --phases "$PHASES" \
      --max-examples "$MAX_EXAMPLES" \
      --max-time "$MAX_TIME" \
      --seed "$seed" \
      --generation-database none \
      --workers 1 \
      --request-timeout 10 \
      --no-color \
      --report junit,ndjson \
      --report-junit-path "$REPORT/$who.junit.xml" \
      --report-ndjson-path "$REPORT/$who.ndjson"); then
    return 1
  fi
}
run staff "$STAFF_TOKEN"
run citizen "$CITIZEN_TOKEN"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "the server died during the runs:" >&2
  tail -n 50 "$DATA/server.log" >&2
  status=1
fi
if grep -q ERROR "$DATA/server.log"; then
  echo "the server logged errors:" >&2
  grep 'ERROR' "$DATA/server.log" | tail -n 20 >&2
fi
if [ "$status" -ne 0 ]; then
  echo "schemathesis: failures found (reports in $REPORT)" >&2
else
  echo "schemathesis: no failures"
fi
exit "$status"
