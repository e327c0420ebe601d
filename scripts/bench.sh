#!/usr/bin/env bash
# `npm run bench`: the web terminals the `peers` module compares with are installed first, here,
# where Debian's and npm's registries are reachable (the bench's own network namespace reaches
# nothing outside itself, so an install from inside it always failed on a fresh machine); then the
# bench runs inside its namespace. BENCH_ONLY without `peers` skips the install.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *,peers,* ]]; then
  echo "[bench] installing the peers to compare with (once per machine; a peer that cannot install is skipped)" >&2
  bash test/bench/peers-install.sh "${BENCH_PEERS_DIR:-/tmp/live-sessions-peers}" >&2
fi
exec bash scripts/netns.sh node test/bench/run.ts "$@"
