#!/usr/bin/env bash
# Runs a command inside a fresh network namespace: loopback up and a veth pair on a private /24
# with a default route, so that WebRTC (Chromium and node-datachannel) gathers host candidates
# while no packet can leave the machine. Needs root (or unprivileged user namespaces).
# Usage: scripts/netns.sh CMD [ARGS...]
set -euo pipefail
if [ "${LIVE_SESSIONS_NETNS:-}" = 1 ]; then exec "$@"; fi
setup='ip link set lo up &&
  ip link add ls0 type veth peer name ls1 &&
  ip addr add 10.203.0.1/24 dev ls0 && ip addr add 10.203.0.2/24 dev ls1 &&
  ip link set ls0 up && ip link set ls1 up &&
  ip route add default via 10.203.0.2 dev ls0'
if [ "$(id -u)" = 0 ]; then
  exec unshare -n bash -c "$setup && LIVE_SESSIONS_NETNS=1 exec \"\$@\"" netns "$@"
else
  exec unshare -rn bash -c "$setup && LIVE_SESSIONS_NETNS=1 exec \"\$@\"" netns "$@"
fi
