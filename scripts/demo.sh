#!/usr/bin/env bash
# `make demo`: the main job on the bundled example, as an operator would run it:
#   lint, the picture, "what if", then keys, render, plan, deploy and plan again, against a
#   local fleet of real OpenSSH sshd processes on 127.0.0.1 (one per inventory host, each with
#   its own sandbox root) that this script starts and stops. Each node's restart command
#   (re)starts a small stand-in for its CometBFT RPC, so deploy's health checks are real.
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
