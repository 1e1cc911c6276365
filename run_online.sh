#!/usr/bin/env bash
# The main job on its embedded defaults: rehearse the online round once, and
# package the submission when it passed under the online profile.
#   --submission DIR  default submission/ when it has a submission.toml, else the constant toy
#   --data DIR        default the first data set in local_data/, else a generated one (local_data/demo)
#   --profile NAME    default smoke (minutes on a 2-core CPU); --profile online for the real numbers
#   --runner NAME     auto (default: docker when an engine answers and the image is there or
#                     can be built, or else the CPU image onlinesim:cpu is there or can be
#                     built from the local Debian base; else process), process or docker
#   --runs-dir DIR    default runs
# Any other argument goes to `onlinesim simulate` (see --help). The exit status
# is the simulation's (0 passed, 1 failed, 2 bad input), whatever packaging says.
set -euo pipefail
cd "$(dirname "$0")"

submission=""
data=""
profile=smoke
runner=auto
runs=runs
image=${ONLINESIM_DOCKER_IMAGE:-onlinesim:latest}
passed=()
while [ $# -gt 0 ]; do
  option=$1
  case "$option" in
    --submission=* | --data=* | --profile=* | --runner=* | --runs-dir=* | --docker-image=*)
      value=${option#*=}; option=${option%%=*}; shift ;;
    --submission | --data | --profile | --runner | --runs-dir | --docker-image)
      [ $# -ge 2 ] || { echo "run_online: $option needs a value" >&2; exit 2; }
      value=$2; shift 2 ;;
    *) passed+=("$option"); shift; continue ;;
  esac
  case "$option" in
    --submission) submission=$value ;;
    --data) data=$value ;;
    --profile) profile=$value ;;
    --runner) runner=$value ;;
    --runs-dir) runs=$value ;;
    --docker-image) image=$value ;;
  esac
done

# The terminal gets set-up's own lines; what pip and TensorFlow (converting the
# weights) write on stderr is kept in $runs/setup.log, and shown only on failure.
setup_log=$(mktemp -t onlinesim-setup-XXXXXX.log)
scripts/setup.sh 2>"$setup_log" || {
  status=$?
  echo "run_online: set-up failed (exit $status); the end of its log $setup_log:" >&2
  tail -n 20 "$setup_log" >&2
  exit "$status"
}
if [ -s "$setup_log" ]; then
  mkdir -p "$runs"
  mv "$setup_log" "$runs/setup.log"
else
  rm -f "$setup_log"
fi

if [ -z "$submission" ]; then
  submission=tests/toys/constant
  [ -f submission/submission.toml ] && submission=submission
fi

if [ -z "$data" ]; then
  for candidate in local_data/*/; do
    [ -d "$candidate" ] && { data=${candidate%/}; break; }
  done
fi
if [ -z "$data" ]; then
  data=local_data/demo
  .venv/bin/python -m harness make-demo-data --out "$data"
fi

# Auto mode with an engine but no image: build it once; where it cannot be built
# (its GPU base cannot be pulled), the CPU image on the local Debian base; else
# run in processes.
has_image() { docker image inspect "$1" >/dev/null 2>&1; }
last_line() { tail -n 1 "$1" | cut -c1-200; }
if [ "$runner" = auto ] && command -v docker >/dev/null && docker info >/dev/null 2>&1 \
  && ! has_image "$image"; then
  build_log=$(mktemp -t onlinesim-build-XXXXXX.log)
  cpu_image=${ONLINESIM_CPU_IMAGE:-onlinesim:cpu}
  echo "run_online: building the missing image $image (docker/build_image.sh, log $build_log)"
  if docker/build_image.sh --tag "$image" >"$build_log" 2>&1; then
    echo "run_online: built $image"
  else
    why="$image could not be built ($(last_line "$build_log"))"
    if has_image "$cpu_image"; then
      echo "run_online: image $cpu_image (CPU, local Debian base): $why"
      image=$cpu_image
    else
      cpu_log=$(mktemp -t onlinesim-build-cpu-XXXXXX.log)
      echo "run_online: $why; building the CPU image $cpu_image instead" \
        "(docker/build_cpu_image.sh, log $cpu_log)"
      if docker/build_cpu_image.sh --tag "$cpu_image" >"$cpu_log" 2>&1; then
        echo "run_online: image $cpu_image (CPU, local Debian base): built because $why"
        image=$cpu_image
      else
        echo "run_online: runner process: building $cpu_image failed too: $(last_line "$cpu_log")"
        runner=process
      fi
    fi
  fi
fi

echo "run_online: submission $submission, data $data, profile $profile"
status=0
.venv/bin/python -m harness simulate --submission "$submission" --data "$data" \
  --profile "$profile" --runner "$runner" --runs-dir "$runs" --docker-image "$image" \
  "${passed[@]}" || status=$?

if [ "$status" = 0 ]; then
  if [ "$profile" != online ]; then
    echo "run_online: not packaged: packaging needs a pass under the online profile;" \
      "run ./run_online.sh --profile online --submission $submission --data $data"
  elif packaged=$(.venv/bin/python -m harness package --submission "$submission" \
    --runs "$runs" 2>&1); then
    echo "run_online: packaged: $(grep '^wrote ' <<<"$packaged" | cut -c7-)"
  else
    echo "run_online: not packaged: $(grep -m 1 'error:' <<<"$packaged" || tail -n 1 <<<"$packaged")"
  fi
fi
exit "$status"
