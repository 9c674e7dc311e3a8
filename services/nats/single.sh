#!/usr/bin/env bash
# Starts nats-server with single.conf, each setting it reads from the environment defaulted here
# (see single.conf). Arguments go to nats-server as they are (e.g. -t to check the config).
#   RETRACE_NATS_PORT=4333 RETRACE_NATS_STORE_DIR=/data/nats services/nats/single.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export RETRACE_NATS_HOST="${RETRACE_NATS_HOST:-127.0.0.1}"
export RETRACE_NATS_PORT="${RETRACE_NATS_PORT:-4222}"
export RETRACE_NATS_HTTP_PORT="${RETRACE_NATS_HTTP_PORT:-8222}"
export RETRACE_NATS_STORE_DIR="${RETRACE_NATS_STORE_DIR:-/var/lib/retrace/nats}"
exec nats-server -c "$here/single.conf" "$@"
