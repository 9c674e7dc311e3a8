#!/usr/bin/env bash
# Runs Retrace as separate processes on one machine: a 3-node JetStream cluster on loopback ports
# (streams and KV replicated 3 ways) and one `retrace agent` process per role, each with its own
# log and pid file under the run dir.
#
#   services/launch.sh [start] [--dir DIR] [--base-port PORT] [--coders N] [--ack-wait MS]
#   services/launch.sh stop [--dir DIR]
#
# start prints the client URLs (also in DIR/urls); point runs at them:
#   retrace run <repo> --nats "$(cat DIR/urls)" --ack-wait MS
# stop sends SIGTERM to the agents (they finish the work in hand and exit), then to the servers,
# and SIGKILLs whatever is still alive after 20 s.
# Ports: clients BASE..BASE+2, routes BASE+10.., monitoring BASE+20.. (BASE 4222 by default).
# Credentials: none here (loopback); see services/README.md for permissions.conf and nkeys.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cmd=start
if [[ $# -gt 0 && $1 != --* ]]; then cmd=$1; shift; fi
dir="${RETRACE_LAUNCH_DIR:-$PWD/.retrace-cluster}"
base=4222
coders=1
ackwait=60000
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    --coders) coders=$2; shift 2 ;;
    --ack-wait) ackwait=$2; shift 2 ;;
    *) echo "launch.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# SIGTERM every pid file matching the glob, wait for them to exit, SIGKILL after $2 seconds.
halt() {
  local files=() f pid
  for f in $1; do [[ -f $f ]] && files+=("$f"); done
  for f in "${files[@]}"; do alive "$f" && kill -TERM "$(cat "$f")" 2>/dev/null || true; done
  for ((i = 0; i < $2 * 10; i++)); do
    local any=0
    for f in "${files[@]}"; do alive "$f" && any=1; done
    [[ $any == 0 ]] && break
    sleep 0.1
  done
  for f in "${files[@]}"; do
    if alive "$f"; then
      pid=$(cat "$f"); echo "launch.sh: $(basename "$f" .pid) did not stop; killing $pid" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

stop() {
  [[ -d $dir ]] || { echo "launch.sh: nothing under $dir" >&2; return 0; }
  halt "$dir/pids/agent-*.pid" 20
  halt "$dir/pids/nats-*.pid" 20
  echo "stopped ($dir)"
}

start() {
  command -v nats-server >/dev/null || { echo "launch.sh: nats-server is not on PATH" >&2; exit 1; }
  mkdir -p "$dir/pids" "$dir/logs"
  for f in "$dir"/pids/*.pid; do
    if alive "$f"; then echo "launch.sh: already running under $dir (run: $0 stop --dir $dir)" >&2; exit 1; fi
  done
  local routes="" urls="" i
  for i in 1 2 3; do
    routes+="${routes:+, }nats-route://127.0.0.1:$((base + 9 + i))"
    urls+="${urls:+,}nats://127.0.0.1:$((base + i - 1))"
  done
  for i in 1 2 3; do
    mkdir -p "$dir/nats-$i"
    cat >"$dir/nats-$i/nats.conf" <<CONF
server_name: retrace-$i
listen: 127.0.0.1:$((base + i - 1))
http: 127.0.0.1:$((base + 19 + i))
max_payload: 8MB
jetstream { store_dir: "$dir/nats-$i/js", max_file_store: 4GB }
cluster { name: retrace, listen: 127.0.0.1:$((base + 9 + i)), routes: [ $routes ] }
CONF
    nats-server -c "$dir/nats-$i/nats.conf" >"$dir/logs/nats-$i.log" 2>&1 &
    echo $! >"$dir/pids/nats-$i.pid"
  done
  # Ready when every node's JetStream is healthy (a meta leader is elected).
  for ((t = 0; t < 300; t++)); do
    local ok=1
    for i in 1 2 3; do
      alive "$dir/pids/nats-$i.pid" || { echo "launch.sh: nats-$i exited; see $dir/logs/nats-$i.log" >&2; stop; exit 1; }
      curl -fsS "http://127.0.0.1:$((base + 19 + i))/healthz" >/dev/null 2>&1 || ok=0
    done
    [[ $ok == 1 ]] && break
    sleep 0.1
  done
  [[ $ok == 1 ]] || { echo "launch.sh: the cluster did not become healthy" >&2; stop; exit 1; }
  echo "$urls" >"$dir/urls"

  local names=() role n
  for role in planner architect coder tester debugger; do
    names+=("$role:$role-1")
    if [[ $role == coder ]]; then for ((n = 2; n <= coders; n++)); do names+=("coder:coder-$n"); done; fi
  done
  for entry in "${names[@]}"; do
    role=${entry%%:*}; n=${entry#*:}
    RETRACE_NATS_REPLICAS=3 node "$root/bin/retrace.js" agent "$role" --nats "$urls" --instance "$n" \
      --ack-wait "$ackwait" --log-level "${RETRACE_LOG_LEVEL:-info}" >"$dir/logs/agent-$n.log" 2>&1 &
    echo $! >"$dir/pids/agent-$n.pid"
  done
  for entry in "${names[@]}"; do
    n=${entry#*:}
    for ((t = 0; t < 1200; t++)); do
      grep -q "ready" "$dir/logs/agent-$n.log" 2>/dev/null && break
      alive "$dir/pids/agent-$n.pid" || { echo "launch.sh: agent $n exited; see $dir/logs/agent-$n.log" >&2; stop; exit 1; }
      sleep 0.1
    done
    grep -q "ready" "$dir/logs/agent-$n.log" || { echo "launch.sh: agent $n not ready in 120 s" >&2; stop; exit 1; }
  done
  echo "$urls"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 [start|stop] [--dir DIR] [--base-port PORT] [--coders N] [--ack-wait MS]" >&2; exit 2 ;;
esac
