#!/usr/bin/env bash
# `picket status` benchmark: N loopback hosts (tests/ssh/fleet.sh: one real sshd per host), one
# node per host (bench/gen_deploy_site.py: 1 validator, 2 private sentries, public sentries),
# each node's RPC a stand-in (scripts/rpc_standin.py: /status, /net_info, /commit) started by
# a first `picket deploy`, so the files match the render. Then `picket status` runs RUNS times:
# every host connected (SSH, host key checked), every rendered file read back over SFTP (the
# drift), each node's /status and /net_info and the validator's last 4 /commit through the
# SSH connection. The stand-ins list no peers and no signature, so the report is full of
# findings (every graph peer missing, the validator not signing): the same requests a healthy
# network costs, and the same output work.
# Usage: bench/status.sh PATH/TO/picket [SIZES...]   (default: 50; RUNS=5, PARALLEL=16)
# Prints a Markdown table; logs go to bench/out/status-N/.
set -euo pipefail
picket=$(realpath "$1")
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(50)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
runs=${RUNS:-5}
standin=$repo/scripts/rpc_standin.py
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }
fleet=
hosts=()
cleanup() {
  [ -n "$fleet" ] || return 0
  for h in "${hosts[@]}"; do python3 "$standin" stop --state "$fleet/$h/node" 2>/dev/null || true; done
  bash "$repo/tests/ssh/fleet.sh" stop "$fleet" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rows=()
for n in "${sizes[@]}"; do
  out=$here/out/status-$n
  rm -rf "$out"; mkdir -p "$out"
  fleet=$out/fleet
  mapfile -t hosts < <(for i in $(seq 1 "$n"); do printf 'h%03d\n' "$i"; done)
  bash "$repo/tests/ssh/fleet.sh" start --shared-host-keys --watch $$ "$fleet" "${hosts[@]}" >/dev/null
  python3 "$here/gen_deploy_site.py" "$n" "$fleet" "$out/site"
  site=$out/site/topology.yaml
  opts=(--secrets "$out/secrets" --known-hosts "$fleet/known_hosts")
  "$picket" keys "$site" --secrets "$out/secrets" >/dev/null
  "$picket" deploy "$site" "${opts[@]}" --parallel "$n" --yes --health-timeout 30 >"$out/deploy.log" 2>&1 ||
    { echo "deploy failed, see $out/deploy.log" >&2; exit 1; }
  for r in $(seq "$runs"); do
    t0=$(now)
    rc=0
    /usr/bin/time -f '%M' -o "$out/rss-$r.txt" "$picket" status "$site" "${opts[@]}" --parallel "${PARALLEL:-16}" \
      --format json >"$out/status-$r.json" 2>"$out/status-$r.err" || rc=$?
    t1=$(now)
    [ "$rc" -le 1 ] || { echo "status: exit $rc, see $out/status-$r.err" >&2; exit 1; }
    # Every node was reached: the numbers are for a full round, not for timeouts.
    python3 - "$out/status-$r.json" "$n" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
reached = sum(1 for node in doc["nodes"] if node["reached"])
drift = [h["host"] for h in doc["hosts"] if h["drift"]]
assert reached == int(sys.argv[2]) and not drift, (reached, drift)
PY
    echo "$t1 - $t0" | bc -l >>"$out/status.txt"
    cat "$out/rss-$r.txt" >>"$out/rss.txt"
  done
  rows+=("| $n | ${PARALLEL:-16} | $(printf %.2f "$(median <"$out/status.txt")") | $(printf %.2f "$(sort -n "$out/status.txt" | head -1)")-$(printf %.2f "$(sort -n "$out/status.txt" | tail -1)") | $runs | $(( $(median <"$out/rss.txt") / 1024 )) |")
  cleanup; fleet=
done
echo "| N hosts | --parallel | median s | range s | runs | peak RSS MiB |"
echo "| ---: | ---: | ---: | --- | ---: | ---: |"
printf '%s\n' "${rows[@]}"
