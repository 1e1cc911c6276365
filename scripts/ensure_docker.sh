#!/usr/bin/env bash
# Make sure a Docker engine answers, for the docker runner and its tests.
# Idempotent: does nothing when an engine already answers. As root it installs
# Debian's engine (docker.io), the compose v1 CLI and debootstrap when they are
# missing, and starts dockerd in the background; it then waits for the engine.
# It writes nothing outside the engine's own state and its log file.
set -euo pipefail

LOG=${ONLINESIM_DOCKERD_LOG:-/var/log/onlinesim-dockerd.log}
WAIT_S=${ONLINESIM_DOCKERD_WAIT_S:-60}

engine_answers() { docker info >/dev/null 2>&1; }

missing_packages() {
  command -v dockerd >/dev/null || echo docker.io
  command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || echo docker-compose
  command -v debootstrap >/dev/null || echo debootstrap
}

if [ "$(id -u)" != 0 ]; then
  if command -v docker >/dev/null && engine_answers; then
    exit 0
  fi
  echo "ensure_docker: no Docker engine answers and this script is not root, so it cannot start one." >&2
  echo "  Start your engine (e.g. 'sudo systemctl start docker'), add yourself to the 'docker' group," >&2
  echo "  or run 'sudo scripts/ensure_docker.sh'." >&2
  exit 1
fi

packages=$(missing_packages | xargs)
if [ -n "$packages" ]; then
  echo "ensure_docker: installing $packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $packages >/dev/null
fi

if engine_answers; then
  exit 0
fi

if ! pgrep -x dockerd >/dev/null; then
  echo "ensure_docker: starting dockerd (log: $LOG)"
  nohup dockerd >>"$LOG" 2>&1 </dev/null &
fi

for _ in $(seq "$WAIT_S"); do
  if engine_answers; then
    echo "ensure_docker: engine ready ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done
echo "ensure_docker: dockerd did not answer within ${WAIT_S}s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2
exit 1
