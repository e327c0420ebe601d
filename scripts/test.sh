#!/usr/bin/env bash
# Runs the type check (scripts/typecheck.sh, counted as one test named "typecheck"), then the
# whole vitest suite (projects unit, integration, e2e) inside the network namespace of
# scripts/netns.sh (WebRTC needs a non-loopback interface), with a readable reporter on the
# terminal and a JSON report in test-results/vitest.json. The LAST line printed is the totals,
# `N passed, N failed` (and `, N skipped` when any), computed from the JSON report and the type check.
# Exits non-zero when anything failed or when no test ran. Extra arguments go to vitest
# (e.g. `bash scripts/test.sh --project unit`).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Node 24 and vitest come from node_modules/.bin, also when this script is run directly.
export PATH="$root/node_modules/.bin:$PATH"

report=test-results/vitest.json
mkdir -p test-results
rm -f "$report"

echo '[test] typecheck (svelte-check, protocol tsc)'
bash scripts/typecheck.sh
typecheck=$?

bash scripts/netns.sh vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
rc=$?

# Totals from the JSON report. A test file that failed to load has no failed test in it: it counts
# as one failure so that it cannot go unnoticed.
node - "$report" "$rc" "$typecheck" <<'EOF'
const [file, rcText, typecheckRc] = process.argv.slice(2);
const rc = Number(rcText);
const fs = require('node:fs');
let r = null;
try {
  r = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch {
  console.log(`[test] vitest wrote no report to ${file} (exit code ${rc}).`);
}
let passed = 0, failed = 0, skipped = 0;
if (r) {
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  for (const f of r.testResults) {
    if (f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')) {
      failed += 1;
      console.log(`[test] ${f.name} failed to run: ${(f.message || '').split('\n')[0]}`);
    }
  }
}
const ran = passed + failed;
// The type check counts as one test, so a type error fails the run like a failing test.
if (typecheckRc === '0') passed += 1;
else {
  failed += 1;
  console.log('[test] typecheck failed (see above; `npm run check` runs it alone).');
}
let ok = failed === 0 && ran > 0;
if (ran === 0) console.log('[test] no test ran.');
if (ok && rc !== 0) {
  console.log(`[test] all tests passed but vitest exited with code ${rc} (unhandled errors? see above).`);
  ok = false;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
EOF
