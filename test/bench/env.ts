// Environment snapshots: how long one snapshot of this box takes (every probe, in parallel, real
// tools), how long diffing two takes, and how fast the redaction engine goes through 100 MB of
// mixed text (log lines, command lines, JSON, paths, with a secret every twentieth line) fed in
// 1 MiB pieces, as the log tail and the recording will feed it.
import { takeSnapshot } from '../../host-agent/env/snapshot.ts';
import { redactText } from '../../host-agent/redact/redact.ts';
import { diffSnapshots } from '../../src/lib/env/diff.ts';
import type { Snapshot } from '../../src/lib/protocol/env.ts';
import { mbPerSecond, percentile, round, type BenchContext, type BenchModule } from './harness.ts';

const SNAPSHOTS = 6;
const DIFFS = 200;
const REDACT_BYTES = 100_000_000;
const PIECE_CHARS = 1 << 20;

const ORDINARY = [
  '2026-12-01T02:00:00.123Z INFO request id=550e8400-e29b-41d4-a716-446655440000 method=GET path=/api/v1/users/42 status=200 ms=12',
  '    at Object.<anonymous> (/srv/app/node_modules/express/lib/router/index.js:284:7)',
  '{"level":"warn","msg":"slow query","duration_ms":1234,"table":"orders","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}',
  'drwxr-xr-x 2 app app 4096 Dec  1 02:00 /var/lib/app/cache',
  'commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 Author: Alice <alice@example.com>',
  '/usr/bin/java -Xmx2g -Dspring.profiles.active=prod -jar /opt/service/service-1.4.2.jar --server.port=8080',
  'GET /healthz 200 0.4ms user-agent="kube-probe/1.29" x-request-id=7f1c2a9e'
];
const SECRET = [
  'export AWS_ACCESS_KEY_ID=AKIA' + 'IOSFODNN7EXAMPLE',
  'node worker.js --token ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  'connecting to postgres://app:' + 'hunter2@db.internal:5432/app',
  'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
];

function mixedText(chars: number): string {
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; n < chars; i++) {
    const line = i % 20 === 19 ? SECRET[(i / 20) % SECRET.length | 0] : ORDINARY[i % ORDINARY.length];
    lines.push(line);
    n += line.length + 1;
  }
  return lines.join('\n');
}

async function snapshots(ctx: BenchContext): Promise<Snapshot[]> {
  const taken: Snapshot[] = [];
  const times: number[] = [];
  for (let i = 0; i < SNAPSHOTS; i++) {
    const t = performance.now();
    taken.push(await takeSnapshot({ cwd: process.cwd(), env: process.env, pid: process.pid }, { id: i + 1, label: `bench ${i}`, time: Date.now(), author: null, source: 'request' }));
    times.push(performance.now() - t);
  }
  const bytes = JSON.stringify(taken[0]).length;
  ctx.log(`snapshot: first ${round(times[0])} ms (cold), p50 ${round(percentile(times, 50))} ms, max ${round(Math.max(...times))} ms; ${(bytes / 1024).toFixed(0)} KiB of JSON`);
  const slow = Object.entries(taken.at(-1)!.sections).filter(([, r]) => r.status === 'timeout').map(([k]) => k);
  if (slow.length) ctx.log(`timed out: ${slow.join(', ')}`);
  ctx.results.snapshot_ms = round(percentile(times, 50));
  ctx.results.snapshot_first_ms = round(times[0]);
  return taken;
}

export const envBench: BenchModule = {
  name: 'env',
  keys: ['snapshot_ms', 'snapshot_first_ms', 'snapshot_diff_ms', 'redact_mb_s'],
  budgetMs: 120_000,
  async run(ctx) {
    const taken = await snapshots(ctx);
    const times: number[] = [];
    for (let i = 0; i < DIFFS; i++) {
      const t = performance.now();
      diffSnapshots(taken[0], taken[1 + (i % (taken.length - 1))]);
      times.push(performance.now() - t);
    }
    ctx.log(`diff of two real snapshots: p50 ${round(percentile(times, 50))} ms, p99 ${round(percentile(times, 99))} ms (n=${DIFFS})`);
    ctx.results.snapshot_diff_ms = round(percentile(times, 50));

    const text = mixedText(REDACT_BYTES);
    let found = 0;
    const t = performance.now();
    for (let at = 0; at < text.length; at += PIECE_CHARS) found += redactText(text.slice(at, at + PIECE_CHARS)).kinds.length;
    const ms = performance.now() - t;
    ctx.log(`redaction: ${(text.length / 1e6).toFixed(0)} MB in ${round(ms)} ms (${found} kinds found across pieces)`);
    ctx.results.redact_mb_s = round(mbPerSecond(text.length, ms));
  }
};
