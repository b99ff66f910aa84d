#!/usr/bin/env bash
# Service commands of a lab host, run by picket over SSH (the lab inventory's restart and check)
# inside the host's namespace. Each service runs detached, its pid in DIR/service.pid and its
# output in DIR/service.log, like a systemd unit would:
#   host.sh restart-node COMETBFT HOME     (re)start the host's CometBFT node (kvstore app)
#   host.sh restart-signer TMKMS HOME      (re)start tmkms on HOME/tmkms.toml
#   host.sh stop DIR                       stop the service whose pid is in DIR
#   host.sh check DIR                      exit 0 while the service runs
set -uo pipefail

alive() {
  local pid line
  read -r pid 2>/dev/null <"$1/service.pid" || return 1
  read -r line 2>/dev/null <"/proc/$pid/stat" || return 1
  line=${line##*) }
  [[ ${line:0:1} != Z ]]
}

stop() {
  local pid i
  alive "$1" || return 0
  read -r pid <"$1/service.pid"
  kill "$pid" 2>/dev/null
  for i in $(seq 1 100); do alive "$1" || return 0; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null
  for i in $(seq 1 40); do alive "$1" || return 0; sleep 0.05; done
  echo "host.sh: $1: service $pid does not stop" >&2
  return 1
}

start() {  # DIR COMMAND...: start detached, wait a moment, fail when it died at once
  local dir=$1; shift
  echo "--- start $(date -u +%H:%M:%S.%N)" >>"$dir/service.log"
  setsid "$@" </dev/null >>"$dir/service.log" 2>&1 &
  echo $! >"$dir/service.pid"
  sleep 0.3
  alive "$dir" || { echo "host.sh: $1 exited at start:" >&2; tail -5 "$dir/service.log" >&2; return 1; }
}

case ${1:-} in
  restart-node)
    stop "$3" && start "$3" "$2" start --home "$3" --proxy_app=kvstore ;;
  restart-signer)
    mkdir -p "$3/state" && stop "$3" && start "$3" "$2" start -c "$3/tmkms.toml" ;;
  stop) stop "$2" ;;
  check) alive "$2" ;;
  *) sed -n '2,9p' "$0" >&2; exit 64 ;;
esac
