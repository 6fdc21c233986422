#!/usr/bin/env bash
# Installs moto's S3 server (from PyPI) into tests/s3/.venv, once per requirements file,
# and prints the path of its `moto_server`: the S3-compatible store the tests start.
#
#   export DAFTAR_TEST_MOTO_SERVER="$(tests/s3/install.sh)"
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$HERE/.venv"
if ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.installed" 2>/dev/null; then
  echo "== installing moto into $VENV" >&2
  rm -rf "$VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" >&2
  cp "$HERE/requirements.txt" "$VENV/requirements.installed"
fi
echo "$VENV/bin/moto_server"
