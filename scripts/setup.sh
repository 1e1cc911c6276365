#!/usr/bin/env bash
# Set-up on a fresh machine: a virtual environment in .venv with the harness,
# the reference submission's dependencies and the test tools. Idempotent: it
# does nothing when the requirement files have not changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
reqs=(pyproject.toml submission/requirements.txt)
stamp_value=$(cat "${reqs[@]}" scripts/setup.sh | sha256sum | cut -c1-16)
stamp=.venv/.setup-$stamp_value

if [ -f "$stamp" ]; then
  exit 0
fi
echo "setup: installing into .venv (first run takes a few minutes)"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]' -r submission/requirements.txt
rm -f .venv/.setup-*
touch "$stamp"
echo "setup: done"
