#!/usr/bin/env bash
# The one test command: set-up if needed, lint and format check, then every test.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/ensure_chromium.sh
scripts/ensure_bubblewrap.sh
scripts/ensure_cc.sh
scripts/ensure_compose.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
