#!/usr/bin/env bash
# Render benchmark: `picket render` (lint + keys check + every file + writing the tree) on
# synthetic topologies of 1k and 10k nodes. Prints a Markdown table; raw numbers in bench/out/.
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

echo "| nodes | files rendered | picket render median s | peak RSS MiB |"
echo "| ---: | ---: | ---: | ---: |"
for n in "${sizes[@]}"; do
  dir=$out/render-$n
  rm -rf "$dir"
  python3 "$here/gen_topology.py" --nodes "$n" --out "$dir"
  "$picket" keys "$dir/topology.yaml" >/dev/null
  : >"$out/render-$n.txt"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$picket" render "$dir/topology.yaml" --out "$dir/out" >"$out/render-$n.log"
    cat "$out/time.txt" >>"$out/render-$n.txt"
  done
  files=$(grep -o '^rendered [0-9]*' "$out/render-$n.log" | awk '{print $2}')
  secs=$(awk '{print $1}' "$out/render-$n.txt" | median)
  rss=$(awk '{print $2}' "$out/render-$n.txt" | median | awk '{printf "%.0f", $1/1024}')
  echo "| $n | $files | $secs | $rss |"
done
