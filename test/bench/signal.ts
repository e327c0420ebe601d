// The signaling server against y-webrtc's own (its bin/server.js, the dev dependency), both as
// processes on 127.0.0.1, driven by ws clients in this process (the relay load by worker threads):
//  - idle: N authenticated peers subscribed in sessions of 10 (y-webrtc: N plain sockets in
//    topics of 10), each server's RSS while it holds them;
//  - relay: PAIRS publisher/subscriber pairs, each publisher sends a burst of BURST messages of
//    MSG_BYTES; messages per second delivered to the subscribers (ours within its per-socket
//    budget), and per second of the server's CPU (the figure a busy machine disturbs least);
//  - join: invite → credential → socket open and subscribed, one after another, while the idle
//    peers are held (p99);
//  - the relay again with two of our instances on a real redis-server (publishers on A,
//    subscribers on B) over y-webrtc's figure.
// CPU of each process is logged: on 2 cores the generator can be the limit. SIGNAL_BENCH_PROF=DIR
// writes a CPU profile of each of our server processes there (node --cpu-prof, at their exit).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import type { CreateSessionResponse, CredentialResponse } from '../../src/lib/protocol/api.ts';
import { SIGNAL_SUBPROTOCOL } from '../../src/lib/protocol/signaling.ts';
import { unusedPort } from '../helpers/ports.ts';
import { startRedis } from '../helpers/redis.ts';
import { stopAll } from '../helpers/processes.ts';
import { describeLatency, percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import { CpuMeter, rssMb } from './processes.ts';
import type { FromLoadWorker, LoadPair, LoadWorkerData, ToLoadWorker } from './signal-load.ts';

const PEERS = Number(process.env.SIGNAL_BENCH_PEERS ?? 10_000);
const PER_SESSION = 10;
const PAIRS = 400;
/** within a socket's burst budget (relay.ts SOCKET_BUDGET: 300) */
const BURST = 250;
const LOAD_WORKERS = Number(process.env.SIGNAL_BENCH_WORKERS ?? 2);
const RELAY_REPEATS = 3;
const MSG_BYTES = 200;
const JOINS = 100;
const HERE = dirname(fileURLToPath(import.meta.url));

interface Proc {
  child: ChildProcess;
  url: string;
  stop(): void;
}

function startProc(cmd: string, args: string[], env: Record<string, string>, ready: RegExp, toUrl: (m: RegExpExecArray) => string): Promise<Proc> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = ready.exec(out);
      if (m) resolve({ child, url: toUrl(m), stop: () => child.kill(PROF ? 'SIGTERM' : 'SIGKILL') });
    });
    child.stderr!.on('data', (c) => (out += c));
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}): ${out.slice(-400)}`)));
  });
}

const PROF = process.env.SIGNAL_BENCH_PROF;
const ours = (redis?: string) => startProc(process.execPath, [...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []), join(HERE, 'signal-server.ts')], redis ? { REDIS: redis } : {}, /listening on (\S+)/, (m) => m[1]);
async function yWebrtc(): Promise<Proc> {
  const port = await unusedPort();
  // (not in the package's exports: found by path)
  const server = fileURLToPath(new URL('../../node_modules/y-webrtc/bin/server.js', import.meta.url));
  return startProc(process.execPath, [server], { PORT: String(port) }, /Signaling server running/, () => `http://127.0.0.1:${port}`);
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** An open socket that has subscribed to `topic` (the pong proves the subscribe was handled). */
function member(base: string, topic: string, token?: string, subscribe = true): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + (token ? '/signal' : '/'), token ? [SIGNAL_SUBPROTOCOL, token] : undefined, { perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('open', () => {
      if (subscribe) ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
      ws.send(JSON.stringify({ type: 'ping' }));
      const onPong = (d: Buffer) => {
        if (JSON.parse(d.toString()).type !== 'pong') return;
        ws.off('message', onPong);
        resolve(ws);
      };
      ws.on('message', onPong);
    });
  });
}

/** Runs `n` tasks, `width` at a time. */
async function pool<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  }));
  return out;
}

/** A session and credentials for `count` participants of it (ours), or just a topic name (y-webrtc). */
async function sessionWith(base: string, count: number, isOurs: boolean, idx: number): Promise<{ topic: string; tokens: (string | undefined)[] }> {
  if (!isOurs) return { topic: `topic-${idx}`, tokens: new Array(count).fill(undefined) };
  const s = await postJson<CreateSessionResponse>(`${base}/api/sessions`, { role: 'owner', name: 'B' });
  const tokens = [s.token];
  for (let i = 1; i < count; i++) tokens.push((await postJson<CredentialResponse>(`${base}/api/sessions/${s.session}/join`, { invite: s.invites.viewer, name: 'V' })).token);
  return { topic: s.session, tokens };
}

async function holdIdle(base: string, isOurs: boolean, ctx: BenchContext): Promise<WebSocket[]> {
  const sessions = Math.ceil(PEERS / PER_SESSION);
  const held: WebSocket[] = [];
  await pool(sessions, 20, async (i) => {
    const { topic, tokens } = await sessionWith(base, PER_SESSION, isOurs, i);
    for (const t of tokens) held.push(await member(base, topic, t));
  }).catch((e: Error) => ctx.log(`idle: stopped at ${held.length} peers: ${e.message}`));
  return held;
}

/** Clock ticks (1/100 s) of CPU `pid` has used, user + system. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export interface RelayRun {
  /** messages per second the subscribers received */
  rate: number;
  /** messages delivered per second of CPU the server process(es) used meanwhile */
  perCpuS: number;
  /** the server processes' CPU over the burst, % of one core */
  serverCpu: number;
  /** the generator's (this process and its workers), % of one core */
  genCpu: number;
}

/**
 * PAIRS publisher/subscriber pairs spread over LOAD_WORKERS worker threads (signal-load.ts), a
 * burst of BURST from each publisher at once; the servers' CPU (/proc) and the generator's
 * (process.cpuUsage covers its worker threads) over the burst tell which side was the limit.
 */
async function relayRate(pubBase: string, subBase: string, isOurs: boolean, serverPids: number[]): Promise<RelayRun> {
  const pairs: LoadPair[] = await pool(PAIRS, 20, async (i) => {
    const { topic, tokens } = await sessionWith(pubBase, 2, isOurs, 100_000 + i);
    return { topic, pubUrl: pubBase, subUrl: subBase, pubToken: tokens[0], subToken: tokens[1] };
  });
  const workers = Array.from({ length: LOAD_WORKERS }, (_, w) => {
    const workerData: LoadWorkerData = { pairs: pairs.filter((_, i) => i % LOAD_WORKERS === w), burst: BURST, msgBytes: MSG_BYTES };
    return new Worker(new URL('./signal-load.ts', import.meta.url), { workerData });
  });
  const exited = workers.map((w) => new Promise((r) => w.once('exit', r)));
  const next = (w: Worker) =>
    new Promise<FromLoadWorker>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  try {
    for (const m of await Promise.all(workers.map(next))) if (m.type === 'failed') throw new Error(`relay load: ${m.message}`);
    const done = workers.map(next);
    const ticks0 = serverPids.map(cpuTicks);
    const gen0 = process.cpuUsage();
    const t0 = performance.now();
    for (const w of workers) w.postMessage({ type: 'go' } satisfies ToLoadWorker);
    const timeout = setTimeout(() => workers.forEach((w) => w.postMessage({ type: 'stop' } satisfies ToLoadWorker)), 30_000);
    const results = await Promise.all(done);
    const s = (performance.now() - t0) / 1000;
    clearTimeout(timeout);
    const gen = process.cpuUsage(gen0);
    const serverS = serverPids.reduce((sum, pid, i) => sum + (cpuTicks(pid) - ticks0[i]), 0) / 100;
    const got = results.reduce((n, m) => n + (m.type === 'done' ? m.got : 0), 0);
    return { rate: got / s, perCpuS: got / serverS, serverCpu: (serverS / s) * 100, genCpu: ((gen.user + gen.system) / 1e6 / s) * 100 };
  } finally {
    for (const w of workers) w.postMessage({ type: 'stop' } satisfies ToLoadWorker);
    await Promise.all(exited);
  }
}

/** The median run (by rate) of `runs`, and the spread of `pick` as "min–max". */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

export const signal: BenchModule = {
  name: 'signal',
  keys: ['signal_idle_peers', 'signal_idle_rss_mb', 'signal_ywebrtc_idle_rss_mb', 'signal_relay_msgs_per_s', 'signal_ywebrtc_relay_msgs_per_s', 'signal_relay_ratio', 'signal_relay_cpu_ratio', 'signal_join_p99_ms', 'signal_redis_relay_ratio'],
  budgetMs: 600_000,
  async run(ctx: BenchContext) {
    const procs: Proc[] = [];
    try {
      const [a, y] = [await ours(), await yWebrtc()];
      procs.push(a, y);
      const base = { a: rssMb(a.child.pid!), y: rssMb(y.child.pid!) };

      // relay first, on quiet servers; RELAY_REPEATS runs of each, alternating, so a noisy
      // neighbour on the machine hits both alike
      const runs: { ours: RelayRun[]; theirs: RelayRun[] } = { ours: [], theirs: [] };
      for (let r = 0; r < RELAY_REPEATS; r++) {
        runs.ours.push(await relayRate(a.url, a.url, true, [a.child.pid!]));
        runs.theirs.push(await relayRate(y.url, y.url, false, [y.child.pid!]));
      }
      const describe = (xs: RelayRun[]) =>
        `${Math.round(median(xs.map((x) => x.rate)))} msg/s (${spread(xs.map((x) => x.rate))}), ${Math.round(median(xs.map((x) => x.perCpuS)))} msg per server-CPU-s (${spread(xs.map((x) => x.perCpuS))}), server ${spread(xs.map((x) => x.serverCpu))}% / generator ${spread(xs.map((x) => x.genCpu))}% of one core`;
      const ourRate = median(runs.ours.map((x) => x.rate));
      const theirRate = median(runs.theirs.map((x) => x.rate));
      const cpuRatio = median(runs.ours.map((x) => x.perCpuS)) / median(runs.theirs.map((x) => x.perCpuS));
      ctx.log(`relay (${PAIRS} pairs × ${BURST} × ${MSG_BYTES} B, ${LOAD_WORKERS} generator threads, median of ${RELAY_REPEATS} (min–max)): ours ${describe(runs.ours)}; y-webrtc ${describe(runs.theirs)}`);
      ctx.log(`relay ratio ours / y-webrtc: ${round(ourRate / theirRate)} in msg/s, ${round(cpuRatio)} in msg per server-CPU-second (a server near 100% of a core is the limit; below it, the generator or the machine is)`);
      ctx.results.signal_relay_msgs_per_s = Math.round(ourRate);
      ctx.results.signal_ywebrtc_relay_msgs_per_s = Math.round(theirRate);
      ctx.results.signal_relay_ratio = round(ourRate / theirRate);
      ctx.results.signal_relay_cpu_ratio = round(cpuRatio);

      // one server's idle peers at a time: 2 × 10k sockets in this process would pass its 20k descriptors
      let cpu = new CpuMeter(new Map([[a.child.pid!, 'ours']]));
      let t0 = performance.now();
      const heldOurs = await holdIdle(a.url, true, ctx);
      ctx.results.signal_idle_peers = heldOurs.length;
      ctx.results.signal_idle_rss_mb = round(rssMb(a.child.pid!));
      ctx.log(`idle: ours holds ${heldOurs.length} authenticated peers in ${ctx.results.signal_idle_rss_mb} MB RSS (${round(base.a)} MB empty); ${Math.round((performance.now() - t0) / 1000)} s to connect; cpu: ${cpu.stop()} (target 10k in < 1 GB)`);

      const joins: number[] = [];
      let session: CreateSessionResponse | undefined;
      for (let i = 0; i < JOINS; i++) {
        // sessions of 10, as people join them
        if (i % PER_SESSION === 0) session = await postJson<CreateSessionResponse>(`${a.url}/api/sessions`, { role: 'owner', name: 'J' });
        const t = performance.now();
        const cred = await postJson<CredentialResponse>(`${a.url}/api/sessions/${session!.session}/join`, { invite: session!.invites.viewer, name: 'J' });
        const ws = await member(a.url, cred.session, cred.token);
        joins.push(performance.now() - t);
        ws.terminate();
      }
      ctx.results.signal_join_p99_ms = round(percentile(joins, 99));
      ctx.log(`join under load (invite → credential → subscribed, ${heldOurs.length} peers held): ${describeLatency(joins)} (target p99 < 100 ms)`);
      for (const ws of heldOurs) ws.terminate();

      cpu = new CpuMeter(new Map([[y.child.pid!, 'y-webrtc']]));
      t0 = performance.now();
      const heldTheirs = await holdIdle(y.url, false, ctx);
      ctx.results.signal_ywebrtc_idle_rss_mb = round(rssMb(y.child.pid!));
      ctx.log(`idle: y-webrtc holds ${heldTheirs.length} plain sockets in ${ctx.results.signal_ywebrtc_idle_rss_mb} MB RSS (${round(base.y)} MB empty); ${Math.round((performance.now() - t0) / 1000)} s to connect; cpu: ${cpu.stop()}`);
      for (const ws of heldTheirs) ws.terminate();

      // two of our instances on Redis: publishers on A, subscribers on B
      const redis = await startRedis();
      const [r1, r2] = [await ours(redis.url), await ours(redis.url)];
      procs.push(r1, r2);
      const redisRuns: RelayRun[] = [];
      for (let r = 0; r < RELAY_REPEATS; r++) redisRuns.push(await relayRate(r1.url, r2.url, true, [r1.child.pid!, r2.child.pid!]));
      const redisRate = median(redisRuns.map((x) => x.rate));
      ctx.results.signal_redis_relay_ratio = round(redisRate / theirRate);
      ctx.log(`relay across two instances on Redis (publishers on A, subscribers on B): ${describe(redisRuns)} (both instances' CPU; redis-server not counted); ${ctx.results.signal_redis_relay_ratio}x y-webrtc's single server`);
    } finally {
      for (const p of procs) p.stop();
      await stopAll();
    }
  }
};
