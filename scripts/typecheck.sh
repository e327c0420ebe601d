#!/usr/bin/env bash
# Type-checks everything: the web app, bin/, signaling/, host-agent/ and test/ (all in the
# tsconfig that svelte.config.js extends), then the protocol alone against its DOM-free tsconfig.
# Exits non-zero on any error. `npm run check` runs this; scripts/test.sh runs it first.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

rc=0
svelte-kit sync && svelte-check --tsconfig ./tsconfig.json --output human || rc=1
tsc -p src/lib/protocol/tsconfig.json --noEmit || rc=1
exit $rc
