#!/usr/bin/env bash
# Installs every Debian package picket needs to build, test, benchmark and run its demo.
# Idempotent: does nothing when all of them are present. Run as root (or with sudo).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config git ca-certificates
  # libraries (see shared/design/architecture.md)
  libyaml-dev libboost-graph-dev libfmt-dev libcli11-dev libexpected-dev
  libkainjow-mustache-dev libsodium-dev libtomlplusplus-dev
  nlohmann-json3-dev libgtest-dev
  # picture output (picket graph --format svg) and the demo
  graphviz
  # checks of rendered files in the tests: nft -c, wg-quick strip, promtool (and the lab's
  # Prometheus on the monitoring host), amtool
  nftables wireguard-tools prometheus prometheus-alertmanager
  # the lab's node_exporter on every host (the node job and the host alert rules)
  prometheus-node-exporter
  # deploy: SSH library, diffs, and the real sshd the tests and the demo run against
  libssh2-1-dev libdtl-dev openssh-server openssh-client python3
  # deploy benchmark comparison
  ansible pssh
  # benchmarks
  time
  # fuzzing (make fuzz): clang and its libFuzzer/sanitizer runtimes (only recommended by clang)
  clang-14 libclang-rt-14-dev
  # benchmark comparison (bench/)
  python3 python3-networkx python3-yaml
  # the real-network lab (tests/lab): namespaces, userspace WireGuard (the kernel may have no
  # module), RPC queries; CometBFT and tmkms come from tests/lab/tools.sh (Go and Rust)
  iproute2 wireguard-go curl util-linux
  # install, packaging and integration (make deb, man pages, completions, CI recipes):
  # dpkg-dev for dpkg-shlibdeps, help2man for the man pages, lintian to check the package,
  # bash-completion and zsh to run the completions, python3-jsonschema to validate SARIF,
  # pre-commit to run the hook manifest
  dpkg-dev file help2man lintian bash-completion zsh python3-jsonschema pre-commit
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
