#!/usr/bin/env bash
# `make demo`: the main job on the bundled example, as an operator would run it.
# Lint, the picture, "what if" a data centre or a provider fails, then keys and render.
set -uo pipefail
picket=${1:-build/picket}
cd "$(dirname "$0")/.."
example=examples/sentry-network/topology.yaml
out=build/demo
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; }
run() { step "$@"; "${@:2}"; rc=$?; echo "(exit $rc)"; }

run "lint the example" "$picket" lint "$example"
run "lint the flawed example (finds its mistakes, exit 1)" "$picket" lint examples/flawed/topology.yaml
run "draw it" "$picket" graph "$example" --format svg -o "$out/sentry-network.svg"
echo "picture written to $out/sentry-network.svg"
run "what if Frankfurt's data centre burns" "$picket" whatif "$example" --fail datacenter=equinix-fr5
run "what if a provider and a sentry go at once" "$picket" whatif "$example" --fail provider=north-cloud --fail node=priv-ams
run "create the keys that are missing (node IDs and public keys only)" "$picket" keys "$example"
run "render every node's and host's files" "$picket" render "$example" --out "$out/render"
echo "files under $out/render:"; (cd "$out/render" && find . -type f | sort | sed 's/^/  /')
# The demo succeeds when the example is clean and the tools ran; the flawed one must fail.
"$picket" lint "$example" >/dev/null && ! "$picket" lint examples/flawed/topology.yaml >/dev/null &&
  [ -s "$out/render/manifest.json" ]
