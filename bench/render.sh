#!/usr/bin/env bash
# Render benchmark: `picket render` (lint + keys check + every file + writing the tree) on
# synthetic topologies of 1k and 10k nodes. Prints a Markdown table; raw numbers in bench/out/.
# The output tree goes to tmpfs (/dev/shm) when there is one, so the figure is picket's work
# and not the disk's (on this VM's disk, creating 30k small files costs 10+ s of kernel time).
# Usage: bench/render.sh PATH/TO/picket [SIZES...]
set -euo pipefail
picket=$(realpath "$1")
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
mkdir -p "$out"
runs=${RUNS:-5}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

target=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$target"' EXIT
echo "| nodes | files rendered | picket render median s (fresh dir) | replacing a previous render s | CPU s (user+sys) | peak RSS MiB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${sizes[@]}"; do
  dir=$out/render-$n
  rm -rf "$dir"
  python3 "$here/gen_topology.py" --nodes "$n" --out "$dir"
  "$picket" keys "$dir/topology.yaml" >/dev/null
  : >"$out/render-$n.txt"
  : >"$out/rerender-$n.txt"
  for _ in $(seq "$runs"); do
    rm -rf "$target/out"
    /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$picket" render "$dir/topology.yaml" --out "$target/out" >"$out/render-$n.log"
    cat "$out/time.txt" >>"$out/render-$n.txt"
    /usr/bin/time -f "%e" -o "$out/time.txt" "$picket" render "$dir/topology.yaml" --out "$target/out" >/dev/null
    cat "$out/time.txt" >>"$out/rerender-$n.txt"
  done
  files=$(grep -o '^rendered [0-9]*' "$out/render-$n.log" | awk '{print $2}')
  secs=$(awk '{print $1}' "$out/render-$n.txt" | median)
  again=$(awk '{print $1}' "$out/rerender-$n.txt" | median)
  cpu=$(awk '{print $3 + $4}' "$out/render-$n.txt" | median)
  rss=$(awk '{print $2}' "$out/render-$n.txt" | median | awk '{printf "%.0f", $1/1024}')
  echo "| $n | $files | $secs | $again | $cpu | $rss |"
done
