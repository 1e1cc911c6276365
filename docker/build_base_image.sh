#!/usr/bin/env bash
# Build the local Debian + Python base image without any image registry:
# debootstrap a minimal Debian, then `docker import` it. Used by the tests and CI
# as the Dockerfile's BASE_IMAGE (the official TensorFlow image cannot be pulled
# there). The root filesystem tarball is cached outside the repository, keyed by
# this script's hash, so a second run on one machine only re-imports it (or does
# nothing when the image is already there). Needs root and debootstrap.
#
# Prints the image tag on stdout; progress goes to stderr.
set -euo pipefail

SUITE=bookworm
PACKAGES=python3,python3-numpy,python3-pil,python3-pip,python-is-python3,ca-certificates,tini
REPO=${ONLINESIM_BASE_REPO:-onlinesim-base}
CACHE_DIR=${ONLINESIM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/onlinesim}

key=$(sha256sum "$0" | cut -c1-12)
tag="$REPO:$SUITE-$key"
tarball="$CACHE_DIR/base-$SUITE-$key.tar.gz"

say() { echo "build_base_image: $*" >&2; }

# The first Debian mirror this machine's apt uses (deb822 or one-line format).
configured_mirror() {
  local file found
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    found=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }
                 /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$file")
    if [ -n "$found" ]; then
      echo "$found"
      return
    fi
  done
}

# debootstrap mounts /proc (and more) inside the tree: unmount before deleting it.
remove_rootfs() {
  local target
  for target in $(awk -v root="$1" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$target" || true
  done
  rm -rf "$1"
}

# Images of earlier versions of this script go once nothing is built on them any more.
prune_old_tags() {
  local old
  for old in $(docker images --format '{{.Repository}}:{{.Tag}}' "$REPO" | grep -v -e ":latest$" -e "^$tag$"); do
    docker rmi "$old" >/dev/null 2>&1 || true
  done
}

if docker image inspect "$tag" >/dev/null 2>&1; then
  docker tag "$tag" "$REPO:latest"
  prune_old_tags
  echo "$tag"
  exit 0
fi

if [ ! -s "$tarball" ]; then
  [ "$(id -u)" = 0 ] || { say "debootstrap needs root; run as root or import $tarball built elsewhere"; exit 1; }
  command -v debootstrap >/dev/null || { say "debootstrap is missing: run scripts/ensure_docker.sh (as root)"; exit 1; }
  mirror=${ONLINESIM_DEBIAN_MIRROR:-$(configured_mirror)}
  mirror=${mirror:-http://deb.debian.org/debian}
  mkdir -p "$CACHE_DIR"
  rootfs=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  trap 'remove_rootfs "$rootfs"; rm -f "$tarball.part"' EXIT
  trap 'exit 130' INT TERM
  say "debootstrap $SUITE from $mirror (a few minutes, once per machine)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$mirror" >&2
  # apt's package lists and caches only make the image bigger.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" --numeric-owner -czf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  # Tarballs of earlier versions of this script are never used again.
  find "$CACHE_DIR" -maxdepth 1 -name "base-$SUITE-*.tar.gz" ! -name "${tarball##*/}" -delete
fi

say "importing $tarball as $tag"
docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  "$tarball" "$tag" >/dev/null
docker tag "$tag" "$REPO:latest"
prune_old_tags
echo "$tag"
