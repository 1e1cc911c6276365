#!/usr/bin/env bash
# Installs bubblewrap (bwrap), the process runner's sandbox, from Debian when it
# is missing. Without it the process runner runs phases unisolated and says so.
# Idempotent. Needs root and apt.
set -euo pipefail
command -v bwrap >/dev/null 2>&1 && exit 0
echo "ensure_bubblewrap: installing bubblewrap"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends bubblewrap
