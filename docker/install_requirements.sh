#!/bin/sh
# pip-install a requirements file inside an image build.
# - Trusts the CA bundle given as the build secret `ca_bundle` (package proxies);
#   a secret is never stored in a layer, so the image does not keep it.
# - Drops tensorflow* lines when the base image already has TensorFlow: the
#   official GPU image's own build must stay, not be replaced by a CPU wheel.
set -eu
requirements=$1
filtered=$(mktemp)
if python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('tensorflow') is None)"; then
  echo "install_requirements: the base image has TensorFlow; keeping it, skipping tensorflow pins"
  grep -viE '^[[:space:]]*tensorflow' "$requirements" >"$filtered" || true
else
  cp "$requirements" "$filtered"
fi
if [ -s /run/secrets/ca_bundle ]; then
  export PIP_CERT=/run/secrets/ca_bundle
fi
python -m pip install --no-cache-dir --requirement "$filtered"
rm -f "$filtered"
