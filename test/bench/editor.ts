// Shared-editor convergence: PEERS typists, each in a process of its own (editor-typist.ts), type
// CHARS_PER_S characters a second into one document for DURATION_S, at their cursors (shared in
// awareness; each jumps elsewhere once a second); for every keystroke, the time from the edit until the last of the other
// typists applied it (wall clock, from the typists' own reports). Side by side, in the same run:
//  - ours: the product's EditorClient on a full mesh of real data channels (no relay);
//  - Hocuspocus 4 on 127.0.0.1 (editor-relay.ts), the same typists through its provider.
// Then the delayed profile: the relay 25 ms from everyone, the peers 5 ms from each other
// (link-delay.ts: user-space forwarders, as this kernel has no netem).
// Ten peers in one process (the first version of this bench) measured that process's event loop:
// its p99 followed the machine's load, not the product.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../src/lib/mesh/api-client.ts';
import { newRoomSecret } from '../../src/lib/mesh/room-crypto.ts';
import { startSignaling } from '../../signaling/server.ts';
import { describeLatency, percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import type { TypistConfig } from './editor-typist.ts';

const PEERS = 10;
const CHARS_PER_S = 20;
const DURATION_S = Number(process.env.BENCH_EDITOR_S ?? 30);
const RELAY_DELAY_MS = 25;
const PEER_DELAY_MS = 5;
const TYPIST = fileURLToPath(new URL('./editor-typist.ts', import.meta.url));
const RELAY = fileURLToPath(new URL('./editor-relay.ts', import.meta.url));
const READY_MS = 90_000;

interface Child {
  proc: ChildProcess;
  lines: AsyncIterator<string>;
  stderr: string[];
}

function start(file: string, args: string[]): Child {
  const proc = spawn(process.execPath, [file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
  // (a child that already ended: its exit is what counts, not the broken pipe)
  proc.stdin!.on('error', () => {});
  return { proc, stderr, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

/** The next JSON line of `c`, within `ms`. */
async function next<T>(c: Child, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms; stderr: ${c.stderr.join('').slice(-800)}`)), ms)));
  try {
    const r = await Promise.race([c.lines.next(), timeout]);
    if (r.done) throw new Error(`${what}: the process ended; stderr: ${c.stderr.join('').slice(-800)}`);
    return JSON.parse(r.value) as T;
  } finally {
    clearTimeout(timer);
  }
}

async function stop(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const exited = new Promise((resolve) => c.proc.once('exit', resolve));
  c.proc.stdin!.end('stop\n');
  const killer = setTimeout(() => c.proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

interface Converge {
  samples: number[];
  missing: number;
  /** CPU of all typists (and the relay) per key typed, ms; worst typist event-loop p99 delay, ms */
  cpuPerKeyMs: number;
  loopP99Ms: number;
}

/** CPU time a process used so far, ms (utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Starts one typist per config, types for DURATION_S, and returns edit → last arrival, ms. */
async function typeTogether(configs: TypistConfig[], relay?: Child): Promise<Converge> {
  const typists = configs.map((c) => start(TYPIST, [JSON.stringify(c)]));
  try {
    await Promise.all(typists.map((t, i) => next(t, `typist ${i + 1} ready`, READY_MS)));
    const relayCpu = relay ? cpuMs(relay.proc.pid) : 0;
    const at = performance.timeOrigin + performance.now() + 500;
    for (const t of typists) t.proc.stdin!.write(`go ${at} ${DURATION_S * 1000}\n`);
    type Report = { sent: Record<string, number>; got: Record<string, number>; cpuMs: number; loopP99Ms: number };
    const reports = await Promise.all(typists.map((t, i) => next<Report>(t, `typist ${i + 1} report`, DURATION_S * 1000 + 30_000)));
    const keys = reports.reduce((n, r) => n + Object.keys(r.sent).length, 0);
    const cpu = reports.reduce((n, r) => n + r.cpuMs, 0) + (relay ? cpuMs(relay.proc.pid) - relayCpu : 0);
    const samples: number[] = [];
    let missing = 0;
    reports.forEach((r, i) => {
      for (const [id, sentAt] of Object.entries(r.sent)) {
        const arrivals = reports.filter((_, j) => j !== i).map((o) => o.got[id]);
        if (arrivals.some((a) => a === undefined)) missing++;
        else samples.push(Math.max(...arrivals) - sentAt);
      }
    });
    return { samples, missing, cpuPerKeyMs: cpu / keys, loopP99Ms: Math.max(...reports.map((r) => r.loopP99Ms)) };
  } finally {
    await Promise.all(typists.map(stop));
  }
}

async function ours(delayMs: number): Promise<Converge> {
  const server = await startSignaling({ port: 0, staticDir: null, log: () => {} });
  try {
    const created = await new ApiClient(server.url).createSession({ role: 'owner', name: 'bench' });
    const secret = newRoomSecret();
    const base = { kind: 'ours', base: server.url, session: created.session, invite: created.invites.editor, secret, delayMs } as const;
    return await typeTogether(Array.from({ length: PEERS }, (_, index) => ({ ...base, index, charsPerS: CHARS_PER_S, peers: PEERS })));
  } finally {
    await server.close();
  }
}

async function hocuspocus(delayMs: number): Promise<Converge> {
  const relay = start(RELAY, []);
  try {
    const { port } = await next<{ port: number }>(relay, 'Hocuspocus', 20_000);
    return await typeTogether(
      Array.from({ length: PEERS }, (_, index) => ({ kind: 'hocuspocus', port, delayMs, index, charsPerS: CHARS_PER_S, peers: PEERS })),
      relay
    );
  } finally {
    relay.proc.kill('SIGTERM');
  }
}

export const editorBench: BenchModule = {
  name: 'editor',
  keys: [
    'editor_converge_p50_ms',
    'editor_converge_p99_ms',
    'editor_converge_hocuspocus_p99_ms',
    'editor_converge_ratio_vs_hocuspocus',
    'editor_converge_delayed_p99_ms',
    'editor_converge_hocuspocus_delayed_p99_ms',
    'editor_converge_ratio_vs_hocuspocus_delayed'
  ],
  budgetMs: (4 * DURATION_S + 420) * 1000,
  async run(ctx: BenchContext) {
    const report = (what: string, r: Converge) => {
      ctx.log(`${what}: edit → applied at all ${PEERS - 1} other typists: ${describeLatency(r.samples)}${r.missing ? `, ${r.missing} edits never arrived everywhere` : ''}`);
      ctx.log(`  CPU per key typed, all processes: ${round(r.cpuPerKeyMs)} ms; worst typist's event-loop delay p99 ${round(r.loopP99Ms)} ms`);
      return percentile(r.samples, 99);
    };
    const mine = await ours(0);
    const p99 = report('ours (mesh, loopback)', mine);
    ctx.results.editor_converge_p50_ms = round(percentile(mine.samples, 50));
    ctx.results.editor_converge_p99_ms = round(p99);
    ctx.log(`target p99 < 50 ms: ${p99 < 50 ? 'met' : 'MISSED'}`);
    const theirs = report('Hocuspocus 4 (relay, loopback)', await hocuspocus(0));
    ctx.results.editor_converge_hocuspocus_p99_ms = round(theirs);
    ctx.results.editor_converge_ratio_vs_hocuspocus = round(p99 / theirs);
    ctx.log(`ours / Hocuspocus p99: ${round(p99 / theirs)} (target ≤ 1.0)`);

    const mineDelayed = report(`ours (peers ${PEER_DELAY_MS} ms apart)`, await ours(PEER_DELAY_MS));
    const theirsDelayed = report(`Hocuspocus 4 (relay ${RELAY_DELAY_MS} ms from everyone)`, await hocuspocus(RELAY_DELAY_MS));
    ctx.results.editor_converge_delayed_p99_ms = round(mineDelayed);
    ctx.results.editor_converge_hocuspocus_delayed_p99_ms = round(theirsDelayed);
    ctx.results.editor_converge_ratio_vs_hocuspocus_delayed = round(mineDelayed / theirsDelayed);
    ctx.log(`delayed profile, ours / Hocuspocus p99: ${round(mineDelayed / theirsDelayed)}`);
  }
};
