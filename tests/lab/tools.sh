#!/usr/bin/env bash
# Installs the lab's real peers, pinned, into the git-ignored tools folder of this checkout
# (tools/lab/bin), building each once into a cache outside the checkout so that a fresh
# clone (CI) reuses it:
#   cometbft-0.34 … cometbft-1.0   CometBFT, one binary per supported release line (go install)
#   tmkms                          tmkms with the softsign provider (cargo install --locked)
#   horcrux                        horcrux, the threshold signer (go build of the pinned module)
#   sdkcheck-0.46 … sdkcheck-0.53  the Cosmos SDK's start-up checks of app.toml, per SDK line
# Debian packages (wireguard-go, wireguard-tools, nftables, openssh-server, iproute2) come
# from scripts/deps.sh. Prints one line per step; says what is missing and how to get it
# when a registry cannot be reached. Usage: tests/lab/tools.sh [--print-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tools=$here/tools/lab
cache=${PICKET_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/picket-lab}

# Pinned versions: the CometBFT tags the key lists in shared/facts were checked against.
cometbft_versions=(0.34:v0.34.35 0.37:v0.37.18 0.38:v0.38.25 1.0:v1.0.1)
tmkms_version=0.15.0
# horcrux v3.3.2: built against CometBFT 0.38.2 (its go.mod), the line picket supports it on.
horcrux_version=v3.3.2

if [ "${1:-}" = --print-dir ]; then echo "$tools/bin"; exit 0; fi

say() { printf 'lab tools: %s\n' "$*" >&2; }
die() { printf 'lab tools: %s\n' "$*" >&2; exit 1; }

mkdir -p "$tools/bin" "$cache/bin"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "go is not installed: the lab builds CometBFT with 'go install' (Go 1.22 or later; apt-get install golang-go, or a Go toolchain on PATH)"
}

# Builds one CometBFT line into $cache/bin/cometbft-<version>.
build_cometbft() {
  local tag=$1 out=$cache/bin/cometbft-$1 work
  need_go
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  say "building CometBFT $tag (go install; the first time takes a few minutes)"
  if [ "${tag#v0.34.}" != "$tag" ]; then
    # The 0.34 line declares its module as github.com/tendermint/tendermint: build it from a
    # small module that replaces that path with the cometbft repository's tag.
    (cd "$work" && cat > go.mod <<MOD
module picketlab/cometbft034

go 1.22

require github.com/tendermint/tendermint $tag

replace github.com/tendermint/tendermint => github.com/cometbft/cometbft $tag
MOD
     cat > tools.go <<'SRC'
//go:build tools

package tools

import _ "github.com/tendermint/tendermint/cmd/cometbft"
SRC
     go mod tidy >"$work/log" 2>&1 && GOBIN=$work/bin go install github.com/tendermint/tendermint/cmd/cometbft >>"$work/log" 2>&1) ||
      { tail -20 "$work/log" >&2; die "CometBFT $tag did not build (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"; }
  else
    (GOBIN=$work/bin go install "github.com/cometbft/cometbft/cmd/cometbft@$tag" >"$work/log" 2>&1) ||
      { tail -20 "$work/log" >&2; die "CometBFT $tag did not build (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"; }
  fi
  install -m 0755 "$work/bin/cometbft" "$out.tmp" && mv "$out.tmp" "$out"
}

for pair in "${cometbft_versions[@]}"; do
  line=${pair%%:*} tag=${pair#*:}
  [ -x "$cache/bin/cometbft-$tag" ] || build_cometbft "$tag"
  ln -sfn "$cache/bin/cometbft-$tag" "$tools/bin/cometbft-$line"
done

if [ ! -x "$cache/bin/tmkms-$tmkms_version" ]; then
  command -v cargo >/dev/null 2>&1 ||
    die "cargo is not installed: the lab builds tmkms with 'cargo install' (Rust 1.85 or later, e.g. through rustup)"
  say "building tmkms $tmkms_version with softsign (cargo install --locked; the first time takes several minutes)"
  root=$(mktemp -d)
  cargo install --quiet --locked --root "$root" --version "$tmkms_version" --features softsign tmkms >"$root.log" 2>&1 ||
    { tail -20 "$root.log" >&2; rm -rf "$root" "$root.log"; die "tmkms $tmkms_version did not build (is the crate registry reachable?)"; }
  install -m 0755 "$root/bin/tmkms" "$cache/bin/tmkms-$tmkms_version.tmp"
  mv "$cache/bin/tmkms-$tmkms_version.tmp" "$cache/bin/tmkms-$tmkms_version"
  rm -rf "$root" "$root.log"
fi
ln -sfn "$cache/bin/tmkms-$tmkms_version" "$tools/bin/tmkms"

# `go install …/cmd/horcrux@v3.3.2` asks the proxy for the module's version list (to look for
# a deprecation), which the proxy reachable here refuses; so the pinned module is downloaded
# alone and built from its own go.mod and go.sum.
if [ ! -x "$cache/bin/horcrux-$horcrux_version" ]; then
  need_go
  say "building horcrux $horcrux_version (go build; the first time takes a few minutes)"
  work=$(mktemp -d)
  src=$(cd "$work" && go mod download -json "github.com/strangelove-ventures/horcrux/v3@$horcrux_version" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { rm -rf "$work"; die "horcrux $horcrux_version could not be downloaded (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"; }
  cp -r "$src" "$work/src" && chmod -R u+w "$work/src"
  (cd "$work/src" && GOWORK=off go build -o "$work/horcrux" ./cmd/horcrux >"$work/log" 2>&1) ||
    { tail -20 "$work/log" >&2; rm -rf "$work"; die "horcrux $horcrux_version did not build"; }
  install -m 0755 "$work/horcrux" "$cache/bin/horcrux-$horcrux_version.tmp"
  mv "$cache/bin/horcrux-$horcrux_version.tmp" "$cache/bin/horcrux-$horcrux_version"
  rm -rf "$work"
fi
ln -sfn "$cache/bin/horcrux-$horcrux_version" "$tools/bin/horcrux"

# sdkcheck, one per Cosmos SDK line picket renders app.toml for: tests/lab/sdkcheck/main.go
# built against that line's cosmos-sdk with the go.mod and go.sum pinned beside it (read-only:
# nothing is resolved anew). The cached binary's name carries a hash of the three files.
for dir in "$here"/tests/lab/sdkcheck/sdk-*; do
  line=${dir##*/sdk-}
  sum=$(cat "$here/tests/lab/sdkcheck/main.go" "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-12)
  out=$cache/bin/sdkcheck-$line-$sum
  if [ ! -x "$out" ]; then
    need_go
    say "building the Cosmos SDK $line start-up checks (go build; the first time takes a minute or two)"
    work=$(mktemp -d)
    cp "$here/tests/lab/sdkcheck/main.go" "$dir/go.mod" "$dir/go.sum" "$work/"
    (cd "$work" && GOFLAGS=-mod=readonly go build -o sdkcheck . >"$work/log" 2>&1) ||
      { tail -20 "$work/log" >&2; rm -rf "$work"; die "sdkcheck for Cosmos SDK $line did not build (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"; }
    install -m 0755 "$work/sdkcheck" "$out.tmp" && mv "$out.tmp" "$out"
    rm -rf "$work"
  fi
  ln -sfn "$out" "$tools/bin/sdkcheck-$line"
done

command -v wireguard-go >/dev/null 2>&1 || die "wireguard-go is missing: run scripts/deps.sh (Debian package wireguard-go)"
say "ready in $tools/bin: $(cd "$tools/bin" && ls | tr '\n' ' ')"
