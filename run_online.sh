#!/usr/bin/env bash
# The main job on its embedded defaults: rehearse the online round once.
#   submission: submission/ when it has a submission.toml, else the constant toy
#   data:       the first data set in local_data/, else a generated one (local_data/demo)
#   profile:    smoke (minutes on a 2-core CPU); pass --profile online for the real numbers
#   runner:     --runner auto|process|docker (default auto: docker when an engine answers)
# Any other argument goes to `onlinesim simulate` (see --help), after these defaults.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh

runner=auto
passed=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runner) runner=${2:?--runner needs a value: auto, process or docker}; shift 2 ;;
    --runner=*) runner=${1#--runner=}; shift ;;
    *) passed+=("$1"); shift ;;
  esac
done

submission=tests/toys/constant
[ -f submission/submission.toml ] && submission=submission

data=""
for candidate in local_data/*/; do
  [ -d "$candidate" ] && { data=${candidate%/}; break; }
done
if [ -z "$data" ]; then
  data=local_data/demo
  .venv/bin/python -m harness make-demo-data --out "$data"
fi

echo "run_online: submission $submission, data $data"
exec .venv/bin/python -m harness simulate --submission "$submission" --data "$data" \
  --profile smoke --runner "$runner" "${passed[@]}"
