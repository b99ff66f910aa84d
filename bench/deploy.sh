#!/usr/bin/env bash
# Deploy benchmark: the same rendered files (picket render of a synthetic N-host topology, one
# node per host) pushed to N loopback hosts (tests/ssh/fleet.sh: one real sshd per host) by
#   picket deploy   (atomic uploads with backups, restarts in waves, health checks over SSH)
#   picket deploy --no-restart  (the same file push alone: lock, atomic uploads with backups;
#                    no reloads, restarts or health checks: the row to hold against scp)
#   Ansible         (copy with backup: yes and the files' modes, restart via a handler running
#                    the same restart command picket runs; forks = 50)
#   parallel-scp    (the floor: scp -r of each host's tree, nothing else)
# then picket plan --detailed-exitcode with nothing to change. Every run starts from empty
# sandbox roots with the nodes' RPC stand-ins stopped.
# Usage: bench/deploy.sh PATH/TO/picket [SIZES...]   (default sizes: 10 50; RUNS=3,
#        ANSIBLE_RUNS=RUNS (Ansible at 50 hosts takes ~5 min a run), SKIP_ANSIBLE=1,
#        PICKET_PARALLEL=N hosts at once, PICKET_TIMEOUT=s per SSH operation (default: picket's))
# Prints a Markdown table; raw numbers and logs go to bench/out/deploy-N/.
set -euo pipefail
picket=$(realpath "$1")
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10 50)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
runs=${RUNS:-3}
ansible_runs=${ANSIBLE_RUNS:-$runs}
standin=$repo/scripts/rpc_standin.py

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }
fleet=
cleanup() { if [ -n "$fleet" ]; then stop_nodes; bash "$repo/tests/ssh/fleet.sh" stop "$fleet" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
stop_nodes() { for h in "${hosts[@]}"; do python3 "$standin" stop --state "$fleet/$h/node" 2>/dev/null || true; done; }
fresh() { stop_nodes; for h in "${hosts[@]}"; do rm -rf "$fleet/$h/root"; mkdir -p "$fleet/$h/root"; done; }
# every host's rendered files arrived, byte for byte, with their modes (backups, state excluded)
verify() {
  for h in "${hosts[@]}"; do
    diff -rq -x var -x '*~' -x '*.picket-bak*' "$render/$h" "$fleet/$h/root" >/dev/null || { echo "verify: $1: $h differs" >&2; return 1; }
    [ "$(stat -c %a "$fleet/$h/root/home/cosmos/.gaia/config/node_key.json")" = 600 ] || { echo "verify: $1: $h node_key mode" >&2; return 1; }
  done
}
timed() { # NAME LOG CMD...: append seconds to $out/NAME.txt when CMD succeeds and files verify
  local name=$1 log=$2 t0 t1; shift 2
  fresh
  t0=$(now)
  "$@" >"$log" 2>&1 || { echo "$name failed, see $log" >&2; return 1; }
  t1=$(now)
  verify "$name" || return 1
  echo "$t1 - $t0" | bc -l >>"$out/$name.txt"
}

results=()
for n in "${sizes[@]}"; do
  out=$here/out/deploy-$n
  rm -rf "$out"; mkdir -p "$out"
  fleet=$out/fleet
  mapfile -t hosts < <(for i in $(seq 1 "$n"); do printf 'h%03d\n' "$i"; done)
  bash "$repo/tests/ssh/fleet.sh" start --shared-host-keys --watch $$ "$fleet" "${hosts[@]}" >/dev/null
  python3 "$here/gen_deploy_site.py" "$n" "$fleet" "$out/site"
  site=$out/site/topology.yaml
  render=$out/render
  "$picket" keys "$site" --secrets "$out/secrets" >/dev/null
  "$picket" render "$site" --secrets "$out/secrets" --out "$render" >/dev/null
  python3 "$here/ansible_site.py" "$fleet" "$out/site" "$render" "$out/ansible.yaml"
  pscp() { # one parallel-scp per host (each host gets its own tree), all at once
    local pids=() rc=0 h
    for h in "${hosts[@]}"; do
      /usr/bin/parallel-scp -r -p 1 -t 0 -H "root@127.0.0.1:$(cat "$fleet/$h/port")" \
        -x "-o UserKnownHostsFile=$fleet/known_hosts -o BatchMode=yes -i $fleet/id_ed25519" \
        "$render/$h/." "$fleet/$h/root/" &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    return $rc
  }
  ansible() {
    ANSIBLE_FORKS=50 ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_RETRY_FILES_ENABLED=False \
      ansible-playbook -i "$out/ansible.yaml" "$here/deploy.yml"
  }
  ssh_opts=(--secrets "$out/secrets" --known-hosts "$fleet/known_hosts" --parallel "${PICKET_PARALLEL:-$n}")
  [ -n "${PICKET_TIMEOUT:-}" ] && ssh_opts+=(--timeout "$PICKET_TIMEOUT")
  for r in $(seq "$runs"); do
    timed picket "$out/picket-$r.log" "$picket" deploy "$site" "${ssh_opts[@]}" --yes --health-timeout 30
    t0=$(now)
    "$picket" plan "$site" "${ssh_opts[@]}" --detailed-exitcode >"$out/plan-$r.log" 2>&1 || { echo "no-change plan: exit $?" >&2; exit 1; }
    echo "$(now) - $t0" | bc -l >>"$out/plan.txt"
    timed picket-push "$out/picket-push-$r.log" "$picket" deploy "$site" "${ssh_opts[@]}" --yes --no-restart
    timed pscp "$out/pscp-$r.log" pscp || true
    [ -n "${SKIP_ANSIBLE:-}" ] || [ "$r" -gt "$ansible_runs" ] || timed ansible "$out/ansible-$r.log" ansible || true
  done
  p=$(median <"$out/picket.txt")
  for tool in picket picket-push ansible pscp; do
    [ -s "$out/$tool.txt" ] || continue
    m=$(median <"$out/$tool.txt")
    results+=("| $tool | $n | $(printf %.2f "$m") | $(wc -l <"$out/$tool.txt") | $(python3 -c "print(f'{$m / $p:.2f}')") |")
  done
  plans+=("| $n | $(printf %.2f "$(median <"$out/plan.txt")") |")
  cleanup; fleet=
done
echo "| tool | N hosts | median s | runs | time / picket's |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '%s\n' "${results[@]}"
echo
echo "| no-change \`picket plan --detailed-exitcode\`, N hosts | median s |"
echo "| ---: | ---: |"
printf '%s\n' "${plans[@]}"
