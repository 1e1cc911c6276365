#!/usr/bin/env bash
# Set-up on a fresh machine: a virtual environment in .venv with the harness,
# the reference submission's dependencies and the test tools. Idempotent: it
# does nothing when the requirement files have not changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
reqs=(pyproject.toml submission/requirements.txt submission/requirements-tools.txt)
stamp_value=$(cat "${reqs[@]}" scripts/setup.sh | sha256sum | cut -c1-16)
stamp=.venv/.setup-$stamp_value

if [ ! -f "$stamp" ]; then
  echo "setup: installing into .venv (first run takes a few minutes)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev,sweep]' -r submission/requirements.txt \
    -r submission/requirements-tools.txt
  rm -f .venv/.setup-*
  touch "$stamp"
  echo "setup: done"
fi

# The reference submission's ImageNet weights, converted once from the PyTorch
# packages (no download at run time); only the missing ones are made.
for variant in lite0 lite1 lite2; do
  if [ ! -f "submission/weights/efficientnet_${variant}.weights.h5" ]; then
    echo "setup: converting EfficientNet-${variant} weights into submission/weights/"
    (cd submission && TF_CPP_MIN_LOG_LEVEL=3 ../.venv/bin/python -m garbage.convert_lite "$variant")
  fi
done
