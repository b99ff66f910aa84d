#!/usr/bin/env bash
# fleet.sh: a local "fleet" of real OpenSSH sshd processes on 127.0.0.1, one per host name,
# for the ssh tests, the deploy tests and the demo (no mocks for the SSH path).
#
#   fleet.sh start [--shared-host-keys] [--no-pin] [--watch PID] DIR HOST...
#       Starts one sshd per HOST on a free port of 127.0.0.1 (searched from a random point in
#       22000-31999, or from $FLEET_PORT_BASE). Writes into DIR:
#         id_ed25519(.pub)     client key, authorized on every host (authorized_keys)
#         known_hosts          every host's keys as [127.0.0.1]:PORT lines
#         fleet.env            FLEET_DIR, FLEET_HOSTS, IDENTITY, KNOWN_HOSTS, FLEET_USER and
#                              PORT_<host>=PORT (non-alphanumerics of <host> become _)
#         inventory.yaml       a `hosts:` map: address, port, user, identity, root, host_key
#                              (host_key omitted with --no-pin)
#         <host>/              sshd_config, host keys, sshd.pid, sshd.log, root/ (the sandbox)
#       --shared-host-keys  one host key pair for the whole fleet (fast bulk fleets)
#       --watch PID         stop the fleet by itself when process PID exits (test crashed)
#   fleet.sh stop DIR          stops every sshd of the fleet and its sessions; idempotent
#   fleet.sh kill DIR HOST     kills one host's sshd and all its live sessions (SIGKILL)
#   fleet.sh revive DIR HOST   starts a killed host's sshd again (same port, keys and root)
#   fleet.sh port DIR HOST     prints the host's port
#   fleet.sh sshd-config FILE ADDRESS PORT AUTHORIZED_KEYS PIDFILE HOSTKEY... [-- SETENV...]
#                              writes the sshd_config every test server uses (the lab's too)
#
# Works as root (user root) and as a normal user (user = that user; sshd then runs
# unprivileged, which needs no /run/sshd).
set -euo pipefail

SSHD=${SSHD:-/usr/sbin/sshd}

die() { echo "fleet.sh: $*" >&2; exit 2; }

env_name() { printf 'PORT_%s' "${1//[^A-Za-z0-9_]/_}"; }

# All descendants of a pid, from one pass over /proc (no process per entry: fleets are big).
descendants() {  # PID...
  local stat line pid ppid
  local -A kids=()
  for stat in /proc/[0-9]*/stat; do
    # `read`, a builtin: no fork per entry, and an entry that vanished while we read is
    # skipped even under set -e (`$(<file)` failing there ended the whole scan, so `kill`
    # found no sessions and left them running).
    read -r line 2>/dev/null <"$stat" || continue
    pid=${line%% *}
    line=${line##*) }   # the comm field may hold spaces: cut after its closing ')'
    line=${line#* }     # drop the state field
    ppid=${line%% *}
    # A process that exits while we read can leave an empty line: skip it.
    [[ $pid =~ ^[0-9]+$ && $ppid =~ ^[0-9]+$ ]] || continue
    kids[$ppid]+="$pid "
  done
  local queue=("$@") next
  while ((${#queue[@]})); do
    next=${queue[0]}
    queue=("${queue[@]:1}")
    for pid in ${kids[$next]:-}; do
      echo "$pid"
      queue+=("$pid")
    done
  done
}

# True while pid runs (a zombie waiting for a slow reaper counts as gone).
alive() {
  local line
  read -r line 2>/dev/null <"/proc/$1/stat" || return 1
  line=${line##*) }
  [[ ${line:0:1} != Z ]]
}

# Kills sshd listeners and every session process under them: only pids we recorded that are
# still sshd (pid files can outlive their process), with one /proc scan for the whole fleet.
kill_trees() {  # SIGNAL PID...
  local signal=$1 pid all=() live=()
  shift
  for pid in "$@"; do
    [[ -n $pid ]] && alive "$pid" && grep -q sshd "/proc/$pid/cmdline" 2>/dev/null && live+=("$pid")
  done
  ((${#live[@]})) || return 0
  # Freeze the trees before killing: a session forking its shell right now must not slip
  # out as an orphan. Stop what we see, look again, until a look finds nothing new.
  kill -STOP "${live[@]}" 2>/dev/null || true
  local round found new=()
  local -A seen=()
  # A fork in flight when its parent was stopped still completes: before believing a quiet
  # look, give such children a moment to appear.
  local quiet=0
  for round in $(seq 1 20); do
    new=()
    while read -r found; do
      [[ -n ${seen[$found]:-} ]] || { seen[$found]=1; new+=("$found"); }
    done < <(descendants "${live[@]}")
    if ((${#new[@]})); then
      quiet=0
      kill -STOP "${new[@]}" 2>/dev/null || true
    else
      ((++quiet < 2)) || break
      sleep 0.05
    fi
  done
  all=("${!seen[@]}")
  kill "-$signal" "${live[@]}" "${all[@]}" 2>/dev/null || true
  kill -CONT "${live[@]}" "${all[@]}" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    for pid in "${live[@]}"; do alive "$pid" && break; pid=""; done
    [[ -z $pid ]] && return 0
    sleep 0.02
  done
  kill -KILL "${live[@]}" "${all[@]}" 2>/dev/null || true
}

host_pid() { cat "$1/$2/sshd.pid" 2>/dev/null || true; }

stop_fleet() {
  local dir=$1 host
  [[ -f $dir/fleet.env ]] || [[ -d $dir ]] || return 0
  local pids=()
  for host in $(cat "$dir/.hosts" 2>/dev/null); do
    pids+=("$(host_pid "$dir" "$host")")
  done
  kill_trees TERM "${pids[@]}"
  for host in $(cat "$dir/.hosts" 2>/dev/null); do rm -f "$dir/$host/sshd.pid"; done
  local w
  w=$(cat "$dir/.watcher.pid" 2>/dev/null || true)
  if [[ -n $w && $w != "${FLEET_WATCHER_SELF:-}" ]]; then
    kill "$w" 2>/dev/null || true
  fi
  rm -f "$dir/.watcher.pid"
}

# Ports with a listener (state 0A) on any address, from /proc/net/tcp{,6}: one read per round.
declare -A LISTENING=()
scan_listening() {
  LISTENING=()
  local sl local_addr remote st rest
  while read -r sl local_addr remote st rest; do
    if [[ $st == 0A ]]; then LISTENING[$((16#${local_addr##*:}))]=1; fi
  done < <(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  return 0
}
port_in_use() { [[ -n ${LISTENING[$1]:-} ]]; }

gen_host_keys() {  # DIR: ed25519 + ecdsa host keys in DIR
  ssh-keygen -q -t ed25519 -N '' -C '' -f "$1/ssh_host_ed25519_key" </dev/null >/dev/null
  ssh-keygen -q -t ecdsa -b 256 -N '' -C '' -f "$1/ssh_host_ecdsa_key" </dev/null >/dev/null
}

# Bash builtins only from here on in the per-host loops: 50 hosts x a few forks each under a
# loaded machine was most of the start time.
# SetEnv SHLVL=1 makes bash count each remote command's shell as nested, so it does not source
# the login user's ~/.bashrc (bash does for commands run by sshd). On the dev VM root's .bashrc
# runs `pyenv init`: 0.15 s of CPU per remote command, and a killed session leaves pyenv's
# lock behind so every later command waits 60 s. The sandbox measures picket, not that.
# The sshd_config of every test server (this fleet's and the lab's, tests/lab/lab.py): keys
# only, root allowed, sftp in-process, forwarding open (picket's RPC probes ride it).
sshd_config() {  # FILE ADDRESS PORT AUTHORIZED_KEYS PIDFILE HOSTKEY... [-- SETENV...]
  local file=$1 address=$2 port=$3 authorized=$4 pidfile=$5
  shift 5
  local keys=() setenv=(SHLVL=1)
  while (($#)) && [[ $1 != -- ]]; do keys+=("HostKey $1"); shift; done
  (($#)) && shift && setenv+=("$@")
  printf '%s\n' \
    "ListenAddress $address" "Port $port" "${keys[@]}" \
    "PidFile $pidfile" "AuthorizedKeysFile $authorized" \
    "PubkeyAuthentication yes" "PasswordAuthentication no" "KbdInteractiveAuthentication no" \
    "StrictModes no" "PermitRootLogin yes" "UsePAM no" "Subsystem sftp internal-sftp" \
    "AllowTcpForwarding yes" "PermitOpen any" "MaxStartups 200" "MaxSessions 50" \
    "LoginGraceTime 30" "PrintMotd no" "PrintLastLog no" "UseDNS no" "LogLevel VERBOSE" \
    "SetEnv ${setenv[*]}" \
    >"$file"
}

write_config() {  # HOSTDIR PORT FLEETDIR KEYDIR
  local h=$1 port=$2 dir=$3 keys=$4
  sshd_config "$h/sshd_config" 127.0.0.1 "$port" "$dir/authorized_keys" "$h/sshd.pid" \
    "$keys/ssh_host_ed25519_key" "$keys/ssh_host_ecdsa_key"
}

# Starts one sshd in the background and records its pid (the caller checks it came up).
launch() {  # HOSTDIR
  local h=$1
  : >"$h/sshd.log"
  # -D: stays a process we can track; all fds away from the caller's (ctest waits on them).
  "$SSHD" -D -f "$h/sshd_config" -E "$h/sshd.log" </dev/null >/dev/null 2>&1 &
  echo $! >"$h/sshd.pid"
}

# Waits until every host's sshd logged "Server listening" or died. Echoes the dead ones.
wait_listening() {  # DIR HOST...
  local dir=$1; shift
  local pending=("$@") next=() host i
  local -A up=()
  for i in $(seq 1 500); do
    up=()
    for host in $(cd "$dir" && grep -l "Server listening" "${pending[@]/%//sshd.log}" 2>/dev/null |
                  sed 's,/sshd.log$,,'); do
      up[$host]=1
    done
    next=()
    for host in "${pending[@]}"; do
      [[ -n ${up[$host]:-} ]] && continue
      if ! alive "$(host_pid "$dir" "$host")"; then echo "$host"; else next+=("$host"); fi
    done
    ((${#next[@]})) || return 0
    pending=("${next[@]}")
    sleep 0.02
  done
  die "sshd did not start for: ${pending[*]} (see $dir/<host>/sshd.log)"
}

start_fleet() {
  local shared=0 pin=1 watch=""
  while [[ ${1:-} == --* ]]; do
    case $1 in
      --shared-host-keys) shared=1 ;;
      --no-pin) pin=0 ;;
      --watch) watch=$2; shift ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
  (($# >= 2)) || die "usage: fleet.sh start [--shared-host-keys] [--no-pin] [--watch PID] DIR HOST..."
  local dir=$1; shift
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)  # sshd wants absolute paths
  local hosts=("$@") host user
  for host in "${hosts[@]}"; do
    [[ $host =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "bad host name: $host"
  done
  user=$(id -un)
  if ((EUID == 0)); then mkdir -p /run/sshd && chmod 0755 /run/sshd; fi
  printf '%s\n' "${hosts[@]}" >"$dir/.hosts"

  # Keys: the client key, then host keys in parallel (or once for the whole fleet).
  local keydir=() hd=()
  for host in "${hosts[@]}"; do
    hd+=("$dir/$host/root")
    if ((shared)); then keydir+=("$dir/.hostkeys"); else keydir+=("$dir/$host"); fi
  done
  mkdir -p "${hd[@]}" "$dir/.hostkeys"
  rm -f "$dir/id_ed25519" "$dir/id_ed25519.pub" "$dir/.hostkeys/"ssh_host_* \
    "${hd[@]/%/\/..\/ssh_host_ed25519_key}" "${hd[@]/%/\/..\/ssh_host_ecdsa_key}" \
    "${hd[@]/%/\/..\/ssh_host_ed25519_key.pub}" "${hd[@]/%/\/..\/ssh_host_ecdsa_key.pub}"
  ssh-keygen -q -t ed25519 -N '' -C "picket-fleet" -f "$dir/id_ed25519" </dev/null >/dev/null
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  if ((shared)); then
    gen_host_keys "$dir/.hostkeys"
  else
    for host in "${hosts[@]}"; do gen_host_keys "$dir/$host" & done
    wait
  fi
  chmod 600 "$dir/id_ed25519" "${keydir[@]/%/\/ssh_host_ed25519_key}" \
    "${keydir[@]/%/\/ssh_host_ecdsa_key}"

  # Ports: free-looking ones, then retry any host whose bind lost a race with another fleet.
  local kd port=${FLEET_PORT_BASE:-$((22000 + RANDOM % 9000))} todo=("${hosts[@]}") failed
  for attempt in $(seq 1 20); do
    scan_listening
    for host in "${todo[@]}"; do
      while port_in_use "$port"; do port=$((port + 1)); done
      ((port < 32000)) || port=22000
      echo "$port" >"$dir/$host/port"
      if ((shared)); then kd=$dir/.hostkeys; else kd=$dir/$host; fi
      write_config "$dir/$host" "$port" "$dir" "$kd"
      launch "$dir/$host"
      port=$((port + 1))
    done
    mapfile -t failed < <(wait_listening "$dir" "${todo[@]}")
    ((${#failed[@]})) || break
    for host in "${failed[@]}"; do
      grep -q "Address already in use" "$dir/$host/sshd.log" 2>/dev/null ||
        die "sshd for $host failed: $(tail -n 3 "$dir/$host/sshd.log" 2>/dev/null)"
    done
    todo=("${failed[@]}")
    port=$((22000 + RANDOM % 9000))
  done
  ((${#failed[@]} == 0)) || die "no free ports for: ${failed[*]}"

  # known_hosts, fleet.env, inventory.yaml.
  : >"$dir/known_hosts"
  {
    echo "FLEET_DIR=$dir"
    echo "FLEET_HOSTS=\"${hosts[*]}\""
    echo "FLEET_USER=$user"
    echo "IDENTITY=$dir/id_ed25519"
    echo "KNOWN_HOSTS=$dir/known_hosts"
  } >"$dir/fleet.env"
  {
    echo "# written by tests/ssh/fleet.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "hosts:"
  } >"$dir/inventory.yaml"
  local p kt kb ed ec i=0
  for host in "${hosts[@]}"; do
    read -r p <"$dir/$host/port"
    read -r kt kb _ <"${keydir[i]}/ssh_host_ed25519_key.pub"; ed="$kt $kb"
    read -r kt kb _ <"${keydir[i]}/ssh_host_ecdsa_key.pub"; ec="$kt $kb"
    i=$((i + 1))
    printf '[127.0.0.1]:%s %s\n[127.0.0.1]:%s %s\n' "$p" "$ed" "$p" "$ec" >>"$dir/known_hosts"
    echo "$(env_name "$host")=$p" >>"$dir/fleet.env"
    {
      echo "  $host:"
      echo "    address: 127.0.0.1"
      echo "    port: $p"
      echo "    user: $user"
      echo "    identity: $dir/id_ed25519"
      echo "    root: $dir/$host/root"
      if ((pin)); then echo "    host_key: \"$ed\""; fi
    } >>"$dir/inventory.yaml"
  done

  if [[ -n $watch ]]; then
    # Detached watcher: stops the fleet when the test process that started it is gone.
    (
      trap - EXIT
      while kill -0 "$watch" 2>/dev/null; do sleep 0.5; done
      FLEET_WATCHER_SELF=$BASHPID stop_fleet "$dir"
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/.watcher.pid"
  fi
}

kill_host() {
  local dir=$1 host=$2
  [[ -f $dir/$host/sshd_config ]] || die "no host $host in $dir"
  kill_trees KILL "$(host_pid "$dir" "$host")"
  rm -f "$dir/$host/sshd.pid"
}

revive_host() {
  local dir=$1 host=$2
  [[ -f $dir/$host/sshd_config ]] || die "no host $host in $dir"
  local dead pid
  pid=$(host_pid "$dir" "$host")
  if [[ -n $pid ]] && alive "$pid"; then return 0; fi
  launch "$dir/$host"
  dead=$(wait_listening "$dir" "$host")
  [[ -z $dead ]] || die "sshd for $host did not start again: $(tail -n 3 "$dir/$host/sshd.log" 2>/dev/null)"
}

cmd=${1:-}
shift || true
case $cmd in
  start) start_fleet "$@" ;;
  stop) (($# == 1)) || die "usage: fleet.sh stop DIR"; stop_fleet "$1" ;;
  kill) (($# == 2)) || die "usage: fleet.sh kill DIR HOST"; kill_host "$1" "$2" ;;
  revive) (($# == 2)) || die "usage: fleet.sh revive DIR HOST"; revive_host "$1" "$2" ;;
  port) (($# == 2)) || die "usage: fleet.sh port DIR HOST"; cat "$1/$2/port" ;;
  sshd-config) (($# >= 6)) || die "usage: fleet.sh sshd-config FILE ADDRESS PORT AUTHORIZED_KEYS PIDFILE HOSTKEY... [-- SETENV...]"
    sshd_config "$@" ;;
  *) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
