#!/usr/bin/env bash
# Build the online image from the project's Dockerfile with BuildKit.
#   docker/build_image.sh [--base IMAGE] [--tag TAG] [--no-submission-deps]
# The host's CA bundle goes in as a build secret (pip behind a TLS-inspecting
# package proxy needs it); a secret never lands in a layer. Prints the tag.
set -euo pipefail
cd "$(dirname "$0")/.."

base=""
tag=${ONLINESIM_DOCKER_IMAGE:-onlinesim:latest}
submission_deps=1
while [ $# -gt 0 ]; do
  case $1 in
    --base) base=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --no-submission-deps) submission_deps=0; shift ;;
    *) echo "build_image: unknown option $1 (valid: --base IMAGE, --tag TAG, --no-submission-deps)" >&2; exit 2 ;;
  esac
done

args=(--tag "$tag" --build-arg "SUBMISSION_DEPS=$submission_deps")
[ -n "$base" ] && args+=(--build-arg "BASE_IMAGE=$base")
ca=${ONLINESIM_BUILD_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[ -s "$ca" ] && args+=(--secret "id=ca_bundle,src=$ca")

# BuildKit (for the secret): the buildx plugin if present, else a client with it built in
# (Debian's docker.io 20.10 client; a newer client without buildx refuses).
builder=()
if docker buildx version >/dev/null 2>&1; then
  builder=(docker buildx build --load)
else
  for client in $(which -a docker); do
    if DOCKER_BUILDKIT=1 "$client" build --help 2>/dev/null | grep -q -- --secret; then
      builder=("$client" build)
      break
    fi
  done
fi
if [ ${#builder[@]} = 0 ]; then
  echo "build_image: no docker client here can build with BuildKit; install the buildx plugin" >&2
  echo "  (Debian: apt-get install docker-buildx, or docker.io from bookworm)" >&2
  exit 1
fi
DOCKER_BUILDKIT=1 "${builder[@]}" "${args[@]}" . >&2
echo "$tag"
