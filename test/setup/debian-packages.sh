#!/bin/sh
# Installs from Debian's packages what the tests need and this machine lacks (README's test
# command runs this first; .ci/run runs README's command):
#   nats-server  the NATS tests start a real one on a loopback port
#   chromium     the trace page is loaded in headless Chromium
#   unzip        the JDK's sources come zipped
#   real code nobody here wrote, for the tests of every language: Go's sources, Rust crates, the
#   JDK's sources, zlib's C examples (test/support/real-inputs.ts, test/graph/rust-modules.test.ts)
# As root, or through sudo. Without apt-get it names what is missing and stops.
set -eu

missing=""
for cmd in nats-server chromium unzip; do
  command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
done
for pkg in golang-src librust-semver-dev openjdk-17-source zlib1g-dev \
  librust-regex-syntax-dev librust-serde-json-dev librust-getrandom-dev librust-syn-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "the tests need:$missing (Debian package names); install them, then run npm test" >&2
  exit 1
fi
as_root=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "the tests need:$missing; run this as root (apt-get install -y$missing)" >&2
    exit 1
  fi
  as_root="sudo"
fi
echo "installing from Debian's packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086 # one word per package
$as_root apt-get install -y -qq $missing >/dev/null
