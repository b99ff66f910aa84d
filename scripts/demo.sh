#!/usr/bin/env bash
# `make demo`: the main job on the bundled example, as an operator would run it:
#   lint, the picture, "what if", then keys, render, plan, deploy and plan again onto the
#   real-network lab (tests/lab: the example's hosts as network namespaces running sshd,
#   CometBFT, tmkms, WireGuard and nftables, in a live chain), then what the network does:
#   signing, peers, a stranger's port scan, and a data centre taken down for real.
#   Where no lab can be built (no root, no network namespaces) it falls back to a local fleet
#   of real OpenSSH sshd processes on 127.0.0.1 whose restart commands (re)start a small
#   stand-in for the CometBFT RPC.
set -uo pipefail
picket=$(realpath "${1:-build/picket}")
cd "$(dirname "$0")/.."
example=examples/sentry-network/topology.yaml
out=build/demo
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; }
run() { step "$@"; "${@:2}"; rc=$?; echo "(exit $rc)"; return $rc; }
failed=0
must() { run "$@" || failed=1; }

must "lint the example" "$picket" lint "$example"
step "lint the flawed example (finds its mistakes, exit 1)" "$picket" lint examples/flawed/topology.yaml
if "$picket" lint examples/flawed/topology.yaml; then failed=1; fi
must "draw it" "$picket" graph "$example" --format svg -o "$out/sentry-network.svg"
echo "picture written to $out/sentry-network.svg"
must "what if Frankfurt's data centre burns" "$picket" whatif "$example" --fail datacenter=equinix-fr5
step "what if a provider and a sentry go at once (cut off: exit 1)" "$picket" whatif "$example" --fail provider=north-cloud --fail node=priv-ams
"$picket" whatif "$example" --fail provider=north-cloud --fail node=priv-ams

# The lab: the example's hosts as network namespaces with real sshd, CometBFT, tmkms,
# WireGuard and nftables, among a real chain (tests/lab). Without root or network namespaces,
# the fleet of local sshd processes below stands in.
lab="python3 tests/lab/lab.py"
if reason=$($lab check 2>&1); then
  labdir=$(realpath -m "$out/lab")
  site=$labdir/site/topology.yaml
  secrets=(--secrets "$labdir/secrets")
  in_operator=(ip netns exec plab-op)
  trap '$lab down >/dev/null 2>&1' EXIT
  step "build the lab's tools once (CometBFT per line, tmkms; cached)" bash tests/lab/tools.sh
  bash tests/lab/tools.sh || exit 1
  step "start the lab: the example's hosts as namespaces, a chain of 7 validators around them" "$lab up $labdir"
  $lab up "$labdir" || exit 1
  echo "our hosts (sshd on port 22 at their inventory addresses), the operator at 198.51.100.250,"
  echo "a stranger at 203.0.113.66, the rest of the chain at 203.0.113.101-103, the partners' nodes"
  must "create the keys that are missing (node IDs and public keys only)" "$picket" keys "$site" "${secrets[@]}"
  must "render every node's and host's files" "$picket" render "$site" "${secrets[@]}" --out "$labdir/render"
  must "what we hand the WireGuard partner dorado (public data only; plan calls out changes later)" "$picket" partner "$site" "${secrets[@]}" dorado
  step "the operator puts the consensus key where tmkms.toml reads it; the WireGuard partner configures its side" "$lab prepare $labdir $labdir/render $picket"
  $lab prepare "$labdir" "$labdir/render" "$picket" || exit 1
  step "plan, from the operator's namespace (exit 2: changes)" "${in_operator[@]}" "$picket" plan "$site" --detailed-exitcode
  "${in_operator[@]}" "$picket" plan "$site" "${secrets[@]}" --detailed-exitcode | tail -12
  [ "${PIPESTATUS[0]}" = 2 ] || failed=1
  deploy_start=$(date +%s.%N)
  must "deploy: lock, upload atomically, WireGuard up, firewall through the guard, restart in waves, health-check" \
    "${in_operator[@]}" "$picket" deploy "$site" "${secrets[@]}" --yes --health-timeout 120
  deployed=$(date +%s.%N)
  must "wait for our validator's first signed block" $lab first-signed "$labdir" "$deploy_start" "$deployed"
  must "plan again: nothing to change (exit 0)" "${in_operator[@]}" "$picket" plan "$site" "${secrets[@]}" --detailed-exitcode
  must "each node's live peers against its graph neighbours" $lab show "$labdir" peers
  must "a stranger's port scan of our hosts" $lab show "$labdir" scan
  must "WireGuard tunnels with a completed handshake" $lab show "$labdir" handshakes
  sleep 5
  must "the validator signs (its signature in the last commits, as the network sees them)" $lab show "$labdir" signing
  must "what if Frankfurt's data centre burns: picket says a path is left" "$picket" whatif "$site" --fail datacenter=equinix-fr5
  must "... so take it down for real" $lab fail "$labdir" datacenter=equinix-fr5
  sleep 12
  must "the validator goes on signing (the last 10 commits, all after the cut)" $lab show "$labdir" signing
  must "bring the data centre back" $lab restore "$labdir"
  exit $failed
fi
echo
echo "The real-network lab cannot run here ($reason): the demo deploys to local sshd processes instead."

# The fleet: one sshd per host of the example's inventory.
fleet=$out/fleet
hosts=$(python3 -c 'import yaml,sys; print(" ".join(yaml.safe_load(open(sys.argv[1]))["hosts"]))' inventories/sentry-network.yaml)
step "start a local fleet: one sshd per inventory host" "tests/ssh/fleet.sh start $fleet $hosts"
bash tests/ssh/fleet.sh start --shared-host-keys --watch $$ "$fleet" $hosts >/dev/null || { echo "fleet did not start"; exit 1; }
trap 'bash tests/ssh/fleet.sh stop "$fleet" >/dev/null 2>&1; for s in "$fleet"/*/node; do python3 scripts/rpc_standin.py stop --state "$s" 2>/dev/null; done' EXIT
python3 scripts/demo_fleet.py "$example" inventories/sentry-network.yaml "$fleet" "$out/site"
grep -E '^  [a-z]|port:' "$fleet/inventory.yaml" | paste - - | awk '{print "  " $1 " sshd on 127.0.0.1:" $3}'
site=$out/site/topology.yaml
secrets=(--secrets "$out/secrets")
ssh_opts=(--known-hosts "$fleet/known_hosts")

must "create the keys that are missing (node IDs and public keys only)" "$picket" keys "$site" "${secrets[@]}"
must "render every node's and host's files" "$picket" render "$site" "${secrets[@]}" --out "$out/render"
step "plan: what would change on each host (exit 2: changes)" "$picket" plan "$site" --detailed-exitcode
"$picket" plan "$site" "${secrets[@]}" "${ssh_opts[@]}" --detailed-exitcode | tail -25
[ "${PIPESTATUS[0]}" = 2 ] || failed=1
must "deploy: lock, upload atomically with backups, restart in waves, health-check" "$picket" deploy "$site" "${secrets[@]}" "${ssh_opts[@]}" --yes --health-timeout 30
must "plan again: nothing to change (exit 0)" "$picket" plan "$site" "${secrets[@]}" "${ssh_opts[@]}" --detailed-exitcode
echo
echo "deployed files, under each host's sandbox root ($fleet/<host>/root):"
(cd "$fleet" && find . -path '*/root/*' -type f ! -name '*.picket-bak' ! -path '*/var/lib/*' -printf '  %m %P\n' | sort)
exit $failed
