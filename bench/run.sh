#!/usr/bin/env bash
# Lint benchmark: picket lint on synthetic topologies of 1k, 10k and 100k nodes (every
# failure domain of the default policy checked), side by side with NetworkX computing the
# path count, a smallest cut and the articulation points of the same graph.
# Usage: bench/run.sh PATH/TO/picket [SIZES...]   (default sizes: 1000 10000 100000)
# STYLE=flow writes the YAML as one flow mapping per entry instead of indented blocks.
# Prints a Markdown table; raw numbers go to bench/out/.
set -euo pipefail
picket=$(realpath "$1")
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000 100000)
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
mkdir -p "$out"
runs=${RUNS:-5}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "| nodes (${STYLE:-block} YAML) | links | YAML MB | picket lint median s | peak RSS MiB | NetworkX analysis s (parse excluded) | ratio |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${sizes[@]}"; do
  dir=$out/topo-$n
  python3 "$here/gen_topology.py" --nodes "$n" --out "$dir" --style "${STYLE:-block}"
  links=$(grep -c 'between:' "$dir/topology.yaml")
  mb=$(du -cb "$dir/topology.yaml" "$dir/inventory.yaml" | tail -1 | awk '{printf "%.1f", $1/1048576}')
  : >"$out/lint-$n.txt"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$picket" lint "$dir/topology.yaml" --format json >"$out/lint-$n.json" || true
    cat "$out/time.txt" >>"$out/lint-$n.txt"
  done
  secs=$(awk '{print $1}' "$out/lint-$n.txt" | median)
  rss=$(awk '{print $2}' "$out/lint-$n.txt" | median | awk '{printf "%.0f", $1/1024}')
  python3 "$here/networkx_baseline.py" "$dir/topology.yaml" >"$out/networkx-$n.json"
  nx_s=$(python3 -c "import json;print(json.load(open('$out/networkx-$n.json'))['analysis_s'])")
  ratio=$(python3 -c "print(f'{$nx_s / max($secs, 0.001):.0f}x')")
  echo "| $n | $links | $mb | $secs | $rss | $nx_s | $ratio |"
done
