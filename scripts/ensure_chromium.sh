#!/usr/bin/env bash
# Installs what the report-page tests need from Debian when it is missing:
# chromium (the real headless browser the tests open pages in) and a CJK font
# (fonts-wqy-zenhei) so that matplotlib draws Chinese class names in plots.
# Idempotent: does nothing when both are present. Needs root and apt.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "ensure_chromium: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg may hold the lock (a shared machine): wait for it.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}"
echo "ensure_chromium: done"
