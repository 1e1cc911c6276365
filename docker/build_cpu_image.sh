#!/usr/bin/env bash
# The CPU online image, for machines where the default GPU base
# (tensorflow/tensorflow:2.21.0-gpu) cannot be pulled: the project's Dockerfile
# on the local Debian base (docker/build_base_image.sh, no registry), with the
# reference submission's dependencies (submission/requirements.txt: TensorFlow
# CPU, Keras). Needs root and debootstrap for the base, and PyPI for the rest.
#   docker/build_cpu_image.sh [--tag TAG]     default onlinesim:cpu
# Prints the tag on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${ONLINESIM_CPU_IMAGE:-onlinesim:cpu}
while [ $# -gt 0 ]; do
  case $1 in
    --tag) tag=$2; shift 2 ;;
    *) echo "build_cpu_image: unknown option $1 (valid: --tag TAG)" >&2; exit 2 ;;
  esac
done

base=$(docker/build_base_image.sh | tail -n 1)
docker/build_image.sh --base "$base" --tag "$tag"
