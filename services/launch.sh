#!/usr/bin/env bash
# Runs Retrace as separate processes on one machine: a 3-node JetStream cluster on loopback ports
# (streams and KV replicated 3 ways), one `retrace agent` process per role, and optionally search
# services, scoring nodes and a graph service, each with its own log and pid file under the run
# dir.
#
#   services/launch.sh [start] [--dir DIR] [--base-port PORT] [--coders N] [--ack-wait MS]
#                      [--search-services N] [--scoring-nodes N] [--graph REPO [--graph-name NAME]]
#                      [--auth] [--tls]
#   services/launch.sh stop [--dir DIR]
#
# start prints the client URLs (the last line of its output; also in DIR/urls); point runs at them:
#   source DIR/env     # the driver's credentials and CA when --auth/--tls, RETRACE_NATS_REPLICAS=3
#   retrace run <repo> --nats "$(cat DIR/urls)" --ack-wait MS
# (--ack-wait of the run must equal the agents': opening a queue sets it on the server.)
#
#   --search-services N  N `retrace search-service` processes; the agents then send their searches
#                        to them (`--search service`). The services keep their default queue
#                        settings (ack wait 30 s), which are the agents' for search requests.
#   --scoring-nodes N    N `retrace scorer-node --backend embedded` processes; with search services
#                        these score the corpora of the agents' searches (`--corpus-scoring nodes`,
#                        where this retrace's search-service has that option).
#   --graph REPO         a `retrace graph-service REPO` named NAME (the repo's directory name by
#                        default) that answers graph queries and serves file texts.
#   --auth               a random password per user of services/nats/permissions.conf (driver,
#                        one per agent role, search, scorer, graph), written to DIR/secrets (mode 600, never
#                        printed); the servers include permissions.conf and each process gets its
#                        user through its environment (RETRACE_NATS_USER/RETRACE_NATS_PASSWORD),
#                        never through its command line, where `ps` would show it. Those users
#                        may not create queues: `retrace setup` sets them up as the driver first
#                        (log DIR/logs/setup.log).
#   --tls                a CA and a certificate for 127.0.0.1/localhost made with openssl under
#                        DIR/tls (keys mode 600); the servers require TLS from clients, every
#                        process verifies them with RETRACE_NATS_CA, and the URLs are tls://.
#                        Cluster routes stay plain TCP: they only ever cross loopback here.
#
# stop sends SIGTERM to the agents (they finish the work in hand and exit), then to the search
# services, the scoring nodes, the graph service and the servers, each group given 20 s before
# SIGKILL, and removes DIR/secrets and DIR/env (the passwords die with the servers).
# Ports: clients BASE..BASE+2, routes BASE+10.., monitoring BASE+20.. (BASE 4222 by default).
# A start that fails stops what it started and names the log to read (DIR/logs/*.log).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
retrace=("node" "$root/bin/retrace.js")
usage="usage: $0 [start|stop] [--dir DIR] [--base-port PORT] [--coders N] [--ack-wait MS] [--search-services N] [--scoring-nodes N] [--graph REPO [--graph-name NAME]] [--auth] [--tls]"
cmd=start
if [[ $# -gt 0 && $1 != --* ]]; then cmd=$1; shift; fi
dir="${RETRACE_LAUNCH_DIR:-$PWD/.retrace-cluster}"
base=4222
coders=1
ackwait=60000
searches=0
scorers=0
graph=""
graphname=""
auth=0
tls=0
need() { [[ $# -ge 2 && -n $2 ]] || { echo "launch.sh: $1 needs a value" >&2; exit 2; }; }
count() { [[ $2 =~ ^[0-9]+$ ]] || { echo "launch.sh: $1 takes a number, got '$2'" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) need "$@"; dir=$2; shift 2 ;;
    --base-port) need "$@"; count "$1" "$2"; base=$2; shift 2 ;;
    --coders) need "$@"; count "$1" "$2"; coders=$2; shift 2 ;;
    --ack-wait) need "$@"; count "$1" "$2"; ackwait=$2; shift 2 ;;
    --search-services) need "$@"; count "$1" "$2"; searches=$2; shift 2 ;;
    --scoring-nodes) need "$@"; count "$1" "$2"; scorers=$2; shift 2 ;;
    --graph) need "$@"; graph=$2; shift 2 ;;
    --graph-name) need "$@"; graphname=$2; shift 2 ;;
    --auth) auth=1; shift ;;
    --tls) tls=1; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) echo "launch.sh: unknown argument $1" >&2; echo "$usage" >&2; exit 2 ;;
  esac
done
[[ $dir == /* ]] || dir="$PWD/$dir"

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# SIGTERM the processes of DIR/pids/$1-*.pid, wait for them to exit, SIGKILL after $2 seconds.
halt() {
  local files=() f pid i
  for f in "$dir/pids/$1"-*.pid; do [[ -f $f ]] && files+=("$f"); done
  [[ ${#files[@]} -gt 0 ]] || return 0
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
  halt agent 20
  halt search 20
  halt scorer 20
  halt graph 20
  halt nats 20
  rm -f "$dir/secrets" "$dir/env"
  echo "stopped ($dir)"
}

# A failed start: say why and where to look, stop everything started, exit 1.
fail() {
  echo "launch.sh: $1" >&2
  stop >&2
  exit 1
}

# A password nats-server reads as a plain string from its environment (letters and hex digits).
password() { printf 'rt%s' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"; }

# Writes stdin to $1 with mode 600 (created so, never readable by others in between).
private() { rm -f "$1"; (umask 077 && cat >"$1"); chmod 600 "$1"; }

make_tls() {
  command -v openssl >/dev/null || fail "--tls needs openssl on PATH"
  local t="$dir/tls"
  rm -rf "$t"; mkdir -p "$t"
  (
    cd "$t"
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 365 \
      -subj "/CN=retrace-launch-ca" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 365 -extfile server.ext
    rm -f server.csr server.ext ca.srl
    chmod 600 ca.key server.key
    chmod 644 ca.pem server.pem
  ) >"$dir/logs/tls.log" 2>&1 || fail "making the TLS certificates failed; see $dir/logs/tls.log"
}

declare -A pw=()
# The users of permissions.conf: the driver, one per agent role, and one per kind of service.
users="driver planner architect coder tester debugger search scorer graph"

# Starts "$@" in the background as process $1 (log DIR/logs/$1.log, pid DIR/pids/$1.pid), signed
# in as NATS user $2: credentials and CA go through the environment, never the command line.
spawn() {
  local name=$1 user=$2; shift 2
  (
    unset RETRACE_NATS_USER RETRACE_NATS_PASSWORD RETRACE_NATS_TOKEN RETRACE_NATS_CREDS RETRACE_NATS_NKEY RETRACE_NATS_CA
    # Outlives this script: an agent started from npm (`npm run ...` calling this) would otherwise
    # take its parent's exit for npx going away, and stop (src/cli/lifetime.ts).
    unset npm_lifecycle_event
    export RETRACE_NATS_REPLICAS=3
    if [[ $auth == 1 ]]; then export RETRACE_NATS_USER=$user RETRACE_NATS_PASSWORD=${pw[$user]}; fi
    if [[ $tls == 1 ]]; then export RETRACE_NATS_CA=$dir/tls/ca.pem; fi
    exec "$@"
  ) >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
}

# Waits until DIR/logs/$1.log matches the regex $2, for at most $3 seconds.
ready() {
  local name=$1 pattern=$2 limit=$3 t
  for ((t = 0; t < limit * 10; t++)); do
    grep -Eq "$pattern" "$dir/logs/$name.log" 2>/dev/null && return 0
    alive "$dir/pids/$name.pid" || fail "$name exited; see $dir/logs/$name.log"
    sleep 0.1
  done
  grep -Eq "$pattern" "$dir/logs/$name.log" 2>/dev/null || fail "$name not ready in $limit s; see $dir/logs/$name.log"
}

start() {
  command -v nats-server >/dev/null || { echo "launch.sh: nats-server is not on PATH" >&2; exit 1; }
  if [[ -n $graph ]]; then
    [[ -d $graph ]] || { echo "launch.sh: --graph $graph is not a directory" >&2; exit 2; }
    graph="$(cd "$graph" && pwd)"
    # The service's own default: the directory name, as a subject token.
    [[ -n $graphname ]] || graphname=$(basename "$graph" | sed 's/[^A-Za-z0-9_-]/_/g')
    "${retrace[@]}" graph-service --help 2>&1 | grep -q 'retrace graph-service' ||
      { echo "launch.sh: this retrace has no graph-service command (--graph)" >&2; exit 1; }
  fi
  mkdir -p "$dir/pids" "$dir/logs"
  local f
  for f in "$dir"/pids/*.pid; do
    if alive "$f"; then echo "launch.sh: already running under $dir (run: $0 stop --dir $dir)" >&2; exit 1; fi
  done
  rm -f "$dir"/pids/*.pid "$dir/secrets" "$dir/env"
  # Interrupted (Ctrl-C, a supervisor's SIGTERM): stop what was started.
  trap 'fail "interrupted"' INT TERM

  local scheme=nats
  if [[ $tls == 1 ]]; then make_tls; scheme=tls; fi
  if [[ $auth == 1 ]]; then
    local user
    for user in $users; do pw[$user]=$(password); done
    {
      echo "# services/launch.sh --auth: one password per user of permissions.conf (mode 600; removed by stop)"
      for user in $users; do echo "RETRACE_${user^^}_PASSWORD=${pw[$user]}"; done
    } | private "$dir/secrets"
    cp "$here/nats/permissions.conf" "$dir/permissions.conf"
  fi
  {
    echo "# source this file, then: retrace run <repo> --nats \"\$(cat $dir/urls)\" --ack-wait $ackwait"
    echo "export RETRACE_NATS_REPLICAS=3"
    if [[ $auth == 1 ]]; then echo "export RETRACE_NATS_USER=driver"; echo "export RETRACE_NATS_PASSWORD=${pw[driver]}"; fi
    if [[ $tls == 1 ]]; then echo "export RETRACE_NATS_CA=$dir/tls/ca.pem"; fi
  } | private "$dir/env"

  local routes="" urls="" i
  for i in 1 2 3; do
    routes+="${routes:+, }nats-route://127.0.0.1:$((base + 9 + i))"
    urls+="${urls:+,}$scheme://127.0.0.1:$((base + i - 1))"
  done
  for i in 1 2 3; do
    mkdir -p "$dir/nats-$i"
    {
      cat <<CONF
server_name: retrace-$i
listen: 127.0.0.1:$((base + i - 1))
http: 127.0.0.1:$((base + 19 + i))
max_payload: 8MB
jetstream { store_dir: "$dir/nats-$i/js", max_file_store: 4GB }
# Routes between the nodes are plain TCP: they only cross loopback here.
cluster { name: retrace, listen: 127.0.0.1:$((base + 9 + i)), routes: [ $routes ] }
CONF
      # Clients must speak TLS; the handshake gets 5 s (0.5 s by default) on a loaded machine.
      [[ $tls == 1 ]] && echo "tls { cert_file: \"$dir/tls/server.pem\", key_file: \"$dir/tls/server.key\", timeout: 5 }"
      # Users and permissions; the passwords come from the server's environment.
      [[ $auth == 1 ]] && echo "include ../permissions.conf"
      true
    } >"$dir/nats-$i/nats.conf"
    (
      if [[ $auth == 1 ]]; then
        for user in $users; do export "RETRACE_${user^^}_PASSWORD=${pw[$user]}"; done
      fi
      exec nats-server -c "$dir/nats-$i/nats.conf"
    ) >"$dir/logs/nats-$i.log" 2>&1 &
    echo $! >"$dir/pids/nats-$i.pid"
  done
  # Ready when every node's JetStream is healthy (a meta leader is elected); 30 s at most.
  local ok=0 t
  for ((t = 0; t < 300; t++)); do
    ok=1
    for i in 1 2 3; do
      alive "$dir/pids/nats-$i.pid" || fail "nats-$i exited; see $dir/logs/nats-$i.log"
      curl -fsS "http://127.0.0.1:$((base + 19 + i))/healthz" >/dev/null 2>&1 || ok=0
    done
    [[ $ok == 1 ]] && break
    sleep 0.1
  done
  [[ $ok == 1 ]] || fail "the cluster did not become healthy in 30 s; see $dir/logs/nats-*.log"
  echo "$urls" >"$dir/urls"

  # The agents' and services' users may only look up their queues (permissions.conf): the driver
  # sets them up, with the agents' ack wait, while the graph service indexes; the search services
  # and agents start once it is done.
  local setup=""
  if [[ $auth == 1 ]]; then
    (
      unset RETRACE_NATS_TOKEN RETRACE_NATS_CREDS RETRACE_NATS_NKEY RETRACE_NATS_CA
      export RETRACE_NATS_REPLICAS=3 RETRACE_NATS_USER=driver RETRACE_NATS_PASSWORD=${pw[driver]}
      if [[ $tls == 1 ]]; then export RETRACE_NATS_CA=$dir/tls/ca.pem; fi
      exec "${retrace[@]}" setup --nats "$urls" --ack-wait "$ackwait"
    ) >"$dir/logs/setup.log" 2>&1 &
    setup=$!
  fi

  # The graph service first: it indexes the repository before it answers, and the others ask it.
  if [[ -n $graph ]]; then
    spawn graph-1 graph "${retrace[@]}" graph-service "$graph" --nats "$urls" --name "$graphname"
    ready graph-1 'graph-service .* ready' 600
  fi
  local n
  for ((n = 1; n <= scorers; n++)); do
    spawn "scorer-$n" scorer "${retrace[@]}" scorer-node --backend embedded --nats "$urls"
  done
  if [[ -n $setup ]]; then
    wait "$setup" || fail "setting up the queues as the driver failed; see $dir/logs/setup.log"
  fi
  local searchopts=()
  if [[ $searches -gt 0 && $scorers -gt 0 ]]; then
    if "${retrace[@]}" search-service --help 2>&1 | grep -q -- '--corpus-scoring'; then
      searchopts=(--corpus-scoring nodes)
    else
      echo "launch.sh: this retrace's search-service has no --corpus-scoring: it scores corpora in-process" >&2
    fi
  fi
  for ((n = 1; n <= searches; n++)); do
    spawn "search-$n" search "${retrace[@]}" search-service --nats "$urls" "${searchopts[@]}"
  done

  local names=() role entry agentopts=()
  [[ $searches -gt 0 ]] && agentopts=(--search service)
  for role in planner architect coder tester debugger; do
    names+=("$role:$role-1")
    if [[ $role == coder ]]; then for ((n = 2; n <= coders; n++)); do names+=("coder:coder-$n"); done; fi
  done
  for entry in "${names[@]}"; do
    role=${entry%%:*}; n=${entry#*:}
    spawn "agent-$n" "$role" "${retrace[@]}" agent "$role" --nats "$urls" --instance "$n" \
      --ack-wait "$ackwait" --log-level "${RETRACE_LOG_LEVEL:-info}" "${agentopts[@]}"
  done

  for ((n = 1; n <= scorers; n++)); do ready "scorer-$n" ': serving retrace\.score\.' 120; done
  for ((n = 1; n <= searches; n++)); do ready "search-$n" ': consuming retrace\.search\.refine' 120; done
  for entry in "${names[@]}"; do ready "agent-${entry#*:}" 'ready' 120; done

  [[ $auth == 1 || $tls == 1 ]] && echo "launch.sh: as the driver: source $dir/env" >&2
  echo "$urls"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
