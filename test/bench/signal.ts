// The signaling server against y-webrtc's own (its bin/server.js, the dev dependency), both as
// processes on 127.0.0.1, driven by ws clients in this process:
//  - idle: N authenticated peers subscribed in sessions of 10 (y-webrtc: N plain sockets in
//    topics of 10), each server's RSS while it holds them;
//  - relay: PAIRS publisher/subscriber pairs, each publisher sends a burst of BURST messages of
//    MSG_BYTES; messages per second delivered to the subscribers (ours within its per-socket budget);
//  - join: invite → credential → socket open and subscribed, one after another, while the idle
//    peers are held (p99);
//  - the relay again with two of our instances on a real redis-server (publishers on A,
//    subscribers on B) over y-webrtc's figure.
// CPU of each process is logged: on 2 cores the generator (this process) can be the limit.
import { spawn, type ChildProcess } from 'node:child_process';
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

const PEERS = Number(process.env.SIGNAL_BENCH_PEERS ?? 10_000);
const PER_SESSION = 10;
const PAIRS = 200;
const BURST = 200;
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
      if (m) resolve({ child, url: toUrl(m), stop: () => child.kill('SIGKILL') });
    });
    child.stderr!.on('data', (c) => (out += c));
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}): ${out.slice(-400)}`)));
  });
}

const ours = (redis?: string) => startProc(process.execPath, [join(HERE, 'signal-server.ts')], redis ? { REDIS: redis } : {}, /listening on (\S+)/, (m) => m[1]);
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

/** Messages per second the subscribers receive: PAIRS pairs, a burst of BURST from each publisher. */
async function relayRate(pubBase: string, subBase: string, isOurs: boolean): Promise<number> {
  const pairs = await pool(PAIRS, 20, async (i) => {
    const { topic, tokens } = await sessionWith(pubBase, 2, isOurs, 100_000 + i);
    // publishers do not subscribe: y-webrtc would echo every publish back to its sender, ours does not
    return { topic, pub: await member(pubBase, topic, tokens[0], false), sub: await member(subBase, topic, tokens[1]) };
  });
  const total = PAIRS * BURST;
  let got = 0;
  const data = 'x'.repeat(MSG_BYTES);
  const done = new Promise<void>((resolve) => {
    for (const p of pairs) p.sub.on('message', () => ++got === total && resolve());
  });
  const t0 = performance.now();
  for (const p of pairs) for (let k = 0; k < BURST; k++) p.pub.send(JSON.stringify({ type: 'publish', topic: p.topic, data }));
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
  const s = (performance.now() - t0) / 1000;
  for (const p of pairs) p.pub.terminate(), p.sub.terminate();
  return got / s;
}

export const signal: BenchModule = {
  name: 'signal',
  keys: ['signal_idle_peers', 'signal_idle_rss_mb', 'signal_ywebrtc_idle_rss_mb', 'signal_relay_msgs_per_s', 'signal_ywebrtc_relay_msgs_per_s', 'signal_relay_ratio', 'signal_join_p99_ms', 'signal_redis_relay_ratio'],
  budgetMs: 600_000,
  async run(ctx: BenchContext) {
    const procs: Proc[] = [];
    try {
      const [a, y] = [await ours(), await yWebrtc()];
      procs.push(a, y);
      const base = { a: rssMb(a.child.pid!), y: rssMb(y.child.pid!) };

      // relay first, on quiet servers
      let cpu = new CpuMeter(new Map([[a.child.pid!, 'ours'], [y.child.pid!, 'y-webrtc']]));
      const ourRate = await relayRate(a.url, a.url, true);
      const theirRate = await relayRate(y.url, y.url, false);
      ctx.log(`relay (${PAIRS} pairs × ${BURST} × ${MSG_BYTES} B): ours ${Math.round(ourRate)} msg/s, y-webrtc ${Math.round(theirRate)} msg/s; cpu: ${cpu.stop()}`);
      ctx.results.signal_relay_msgs_per_s = Math.round(ourRate);
      ctx.results.signal_ywebrtc_relay_msgs_per_s = Math.round(theirRate);
      ctx.results.signal_relay_ratio = round(ourRate / theirRate);

      cpu = new CpuMeter(new Map([[a.child.pid!, 'ours'], [y.child.pid!, 'y-webrtc']]));
      const t0 = performance.now();
      const heldOurs = await holdIdle(a.url, true, ctx);
      const heldTheirs = await holdIdle(y.url, false, ctx);
      ctx.results.signal_idle_peers = heldOurs.length;
      ctx.results.signal_idle_rss_mb = round(rssMb(a.child.pid!));
      ctx.results.signal_ywebrtc_idle_rss_mb = round(rssMb(y.child.pid!));
      ctx.log(`idle: ours holds ${heldOurs.length} authenticated peers in ${ctx.results.signal_idle_rss_mb} MB RSS (${round(base.a)} MB empty); y-webrtc ${heldTheirs.length} plain sockets in ${ctx.results.signal_ywebrtc_idle_rss_mb} MB (${round(base.y)} MB empty); ${Math.round((performance.now() - t0) / 1000)} s to connect; cpu: ${cpu.stop()} (target 10k in < 1 GB)`);
      for (const ws of heldTheirs) ws.terminate();

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

      // two of our instances on Redis: publishers on A, subscribers on B
      const redis = await startRedis();
      const [r1, r2] = [await ours(redis.url), await ours(redis.url)];
      procs.push(r1, r2);
      cpu = new CpuMeter(new Map([[r1.child.pid!, 'instance A'], [r2.child.pid!, 'instance B']]));
      const redisRate = await relayRate(r1.url, r2.url, true);
      ctx.results.signal_redis_relay_ratio = round(redisRate / theirRate);
      ctx.log(`relay across two instances on Redis: ${Math.round(redisRate)} msg/s (${ctx.results.signal_redis_relay_ratio}x y-webrtc's single server); cpu: ${cpu.stop()} (redis-server not counted)`);
    } finally {
      for (const p of procs) p.stop();
      await stopAll();
    }
  }
};
