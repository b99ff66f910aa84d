#!/usr/bin/env bash
# The lab tests' fixture (ctest FIXTURES_SETUP / FIXTURES_CLEANUP of label `lab`):
#   fixture.sh up PICKET DIR    build the lab, then run picket as an operator would from the
#                               operator's namespace: keys, render, deploy of the bundled
#                               example; waits for our validator's first signed block and
#                               records the times in DIR/figures.json
#   fixture.sh down DIR         remove the lab (namespaces and processes, by name)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lab() { python3 "$here/lab.py" "$@"; }

case ${1:-} in
  up)
    picket=$(realpath "$2") dir=$3
    bash "$here/tools.sh"
    lab up "$dir"
    site=$dir/site/topology.yaml secrets=(--secrets "$dir/secrets")
    "$picket" keys "$site" "${secrets[@]}" >/dev/null
    "$picket" render "$site" "${secrets[@]}" --out "$dir/render"
    lab prepare "$dir" "$dir/render" "$picket"
    start=$(date +%s.%N)
    ip netns exec plab-op "$picket" deploy "$site" "${secrets[@]}" --yes --health-timeout 120 \
      >"$dir/first-deploy.log" 2>&1 || { cat "$dir/first-deploy.log"; exit 1; }
    deployed=$(date +%s.%N)
    lab first-signed "$dir" "$start" "$deployed"
    ;;
  down)
    lab down
    ;;
  *) sed -n '2,9p' "$0" >&2; exit 64 ;;
esac
