#!/usr/bin/env bash
# Installs a C compiler from Debian when `cc` is missing: the hostile preload
# test builds an LD_PRELOAD library with it. Idempotent. Needs root and apt.
set -euo pipefail
command -v cc >/dev/null 2>&1 && exit 0
echo "ensure_cc: installing gcc"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends gcc libc6-dev
