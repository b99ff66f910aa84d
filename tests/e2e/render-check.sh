#!/usr/bin/env bash
# Renders an example with the fixture keys and checks the result with the real tools.
# Usage: tests/e2e/render-check.sh PICKET EXAMPLE   (prints a stable report for the golden)
set -u
picket=$1
example=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "tests/fixtures/secrets-$example" "$tmp/secrets"
find "$tmp/secrets" -type d -exec chmod 700 {} + && find "$tmp/secrets" -type f -exec chmod 600 {} +
"$picket" render "examples/$example/topology.yaml" --secrets "$tmp/secrets" --out "$tmp/out" |
  sed "s#$tmp#TMP#g"
echo "rc=${PIPESTATUS[0]}"
cd "$tmp/out" || exit 1
echo "--- files (mode path)"
find . -type f ! -name manifest.json -printf '%m %P\n' | sort
echo "--- manifest"
cat manifest.json
echo "--- checks"
for f in $(find . -name '*.nft' | sort); do
  nft -c -f "$f" >/dev/null 2>&1 && echo "nft -c ok: $f" || echo "nft -c FAILED: $f"
done
# Loaded for real (dynamic sets, ct count, limits are checked by the kernel only), twice, in
# a throwaway network namespace: never in the machine's own.
for f in $(find . -name 'picket.nft' | sort); do
  unshare -n sh -c 'nft -f "$1" && nft -f "$1" && nft list table inet picket' sh "$f" >/dev/null 2>&1 &&
    echo "nft -f in a network namespace ok: $f" || echo "nft -f in a network namespace FAILED: $f"
done
for f in $(find . -path '*wireguard*' -name '*.conf' | sort); do
  wg-quick strip "$f" >/dev/null 2>&1 && echo "wg-quick strip ok: $f" || echo "wg-quick strip FAILED: $f"
done
# The monitoring host's files name the rules file by its path on the host: checked in a copy
# that names it beside the config, as promtool resolves rule_files.
for d in $(find . -path '*/etc/prometheus' -type d | sort); do
  c=$(mktemp -d)
  sed "s#/etc/prometheus/picket-alerts.yml#picket-alerts.yml#" "$d/prometheus.yml" >"$c/prometheus.yml"
  cp "$d/picket-alerts.yml" "$c/"
  promtool check config "$c/prometheus.yml" >/dev/null 2>&1 && echo "promtool check config ok: $d" || echo "promtool check config FAILED: $d"
  promtool check rules "$c/picket-alerts.yml" >/dev/null 2>&1 && echo "promtool check rules ok: $d" || echo "promtool check rules FAILED: $d"
  amtool check-config "$d/alertmanager.yml" >/dev/null 2>&1 && echo "amtool check-config ok: $d" || echo "amtool check-config FAILED: $d"
  rm -rf "$c"
done
if [ -d monitoring ]; then
  promtool check config monitoring/prometheus.yml >/dev/null 2>&1 && echo "promtool check config ok" || echo "promtool check config FAILED"
  promtool check rules monitoring/picket-alerts.yml >/dev/null 2>&1 && echo "promtool check rules ok" || echo "promtool check rules FAILED"
fi
# No secret may sit in a file that is not marked secret (and so not 0600).
leaks=0
for key in $(find "$tmp/secrets" -name "*.key" | sort | xargs cat); do
  grep -rlF -- "$key" . | sort | while read -r f; do
    if [ "$(stat -c %a "$f")" = 600 ]; then echo "private key only in a 0600 file: $f"; else echo "LEAK: WireGuard private key in $f"; fi
  done
done
echo "--- rendering twice gives the same bytes"
"$picket" render "$OLDPWD/examples/$example/topology.yaml" --secrets "$tmp/secrets" --out "$tmp/again" >/dev/null 2>&1
diff -r "$tmp/out" "$tmp/again" >/dev/null && echo identical || echo DIFFERENT
