#!/usr/bin/env bash
# Creates .venv (ignored by git) with the Python tools the tests use, pinned: schemathesis, which checks the
# running admin API against openapi/admin.yaml (scripts/schemathesis.sh). Idempotent: reinstalls only when the
# pinned version is not the one installed.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
venv=.venv

if [ ! -x "$venv/bin/python" ]; then
  echo "venv: creating $venv" >&2
  python3 -m venv "$venv"
fi
if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)" != "$SCHEMATHESIS_VERSION" ]; then
  echo "venv: installing schemathesis $SCHEMATHESIS_VERSION" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
