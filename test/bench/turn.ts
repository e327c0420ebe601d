// What the TURN relay costs. A real coturn (test/helpers/coturn.ts) on this namespace's address;
// the same Node ↔ Chromium data channel as raw-dc, once direct and once with
// `iceTransportPolicy: 'relay'` on both ends (every byte through coturn), in the same run:
// ping/pong round trip and Node → browser throughput, with ratios relay/direct. And the product
// through the relay: a relay-only session (signaling with --turn-* settings, the host agent, a
// Node participant), join request → the host admitted over the relay (hello both ways).
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import type { Page } from 'playwright-core';
import { HostAgent } from '../../host-agent/agent.ts';
import { nodeRtcConfig } from '../../host-agent/webrtc.ts';
import { startSignaling } from '../../signaling/server.ts';
import { turnCredential } from '../../signaling/turn.ts';
import { freePort, startCoturn, type Coturn } from '../helpers/coturn.ts';
import { spawnProcess } from '../helpers/processes.ts';
import { joinNodePeer } from '../helpers/node-peer.ts';
import { shellTestEnv, stopAll } from '../helpers/processes.ts';
import { makeTempDir } from '../helpers/tmp.ts';
import { connectPair, preparePage, type DcPair } from './dc-pair.ts';
import type { PageBench } from './dc-page.ts';
import { describeLatency, mbPerSecond, percentile, round, type BenchContext, type BenchModule } from './harness.ts';

const PINGS = 300;
const PING_WARMUP = 20;
const FRAME_BYTES = 16 * 1024;
/** 21 MB each way of measuring: enough for a steady rate through the relay, short for the budget. */
const THROUGHPUT_BYTES = 1280 * FRAME_BYTES;
const HIGH_WATER_BYTES = 1024 * 1024;
const JOINS = 5;

/** This namespace's non-loopback IPv4 address (coturn must not be on loopback: Chromium skips it). */
export function lanAddress(): string {
  const ip = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!ip) throw new Error('no non-loopback IPv4 address: run inside scripts/netns.sh');
  return ip;
}

function nextMessage(dc: RTCDataChannel, timeoutMs: number): Promise<MessageEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
    dc.onmessage = (e) => {
      clearTimeout(timer);
      dc.onmessage = null;
      resolve(e);
    };
  });
}

const setMode = (page: Page, id: number, mode: Parameters<PageBench['setMode']>[1]) =>
  page.evaluate(([id, mode]) => (window as unknown as { __bench: PageBench }).__bench.setMode(id, mode), [id, mode] as const);

async function measure(page: Page, pair: DcPair): Promise<{ rtt: number[]; mbs: number }> {
  await setMode(page, pair.id, { kind: 'echo' });
  const rtt: number[] = [];
  const ping = new Uint8Array(16);
  for (let i = 0; i < PING_WARMUP + PINGS; i++) {
    const pong = nextMessage(pair.dc, 2_000);
    const t0 = performance.now();
    pair.dc.send(ping);
    await pong;
    if (i >= PING_WARMUP) rtt.push(performance.now() - t0);
  }
  await setMode(page, pair.id, { kind: 'sink', bytes: THROUGHPUT_BYTES });
  const dc = pair.dc;
  dc.bufferedAmountLowThreshold = HIGH_WATER_BYTES / 4;
  const frame = new Uint8Array(FRAME_BYTES);
  const done = nextMessage(dc, 120_000);
  const t0 = performance.now();
  for (let sent = 0; sent < THROUGHPUT_BYTES; sent += FRAME_BYTES) {
    if (dc.bufferedAmount > HIGH_WATER_BYTES) await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
    dc.send(frame);
  }
  await done;
  return { rtt, mbs: mbPerSecond(THROUGHPUT_BYTES, performance.now() - t0) };
}

const CHAIN = 'LS_TURN_BENCH';
/** How many UDP ports coturn relays from (a block starting at a free port). */
const RELAY_PORTS = 200;

/**
 * Everything here shares one address, so coturn's permissions (per IP) would let a peer's own
 * socket reach the other's relay directly — node-datachannel sends checks from its host socket
 * even with `iceTransportPolicy: 'relay'`. While measuring the relay, only UDP to or from coturn
 * (its port and its relay ports) may pass: every byte then really goes through it.
 */
function onlyThroughRelay(coturn: Coturn, relay: [number, number]): () => void {
  const ipt = (...a: string[]) => execFileSync('iptables', a, { stdio: 'pipe' });
  const range = `${relay[0]}:${relay[1]}`;
  ipt('-N', CHAIN);
  ipt('-A', CHAIN, '-p', 'udp', '--sport', range, '-j', 'RETURN');
  ipt('-A', CHAIN, '-p', 'udp', '--dport', String(coturn.port), '-j', 'RETURN');
  ipt('-A', CHAIN, '-p', 'udp', '--sport', String(coturn.port), '-j', 'RETURN');
  ipt('-A', CHAIN, '-p', 'udp', '-j', 'DROP');
  ipt('-I', 'OUTPUT', '-j', CHAIN);
  return () => {
    ipt('-D', 'OUTPUT', '-j', CHAIN);
    ipt('-F', CHAIN);
    ipt('-X', CHAIN);
  };
}

/** join request → the host admitted, in a relay-only session: every frame goes through coturn. */
export async function joinsViaRelay(coturn: Coturn, ctx: BenchContext): Promise<number[]> {
  const server = await startSignaling({ port: 0, host: lanAddress(), staticDir: null, log: () => {}, turn: { turnUrls: [coturn.turnUrls[0]], stunUrls: [], secret: coturn.secret } });
  const env = { ...(process.env as Record<string, string>), ...shellTestEnv() };
  const agent = await HostAgent.start({ signaling: server.url, cwd: makeTempDir('ls-bench-turn-'), shell: '/bin/sh', name: 'bench-host', stateDir: makeTempDir('ls-bench-turn-state-'), env, log: () => {}, relayOnly: true });
  const times: number[] = [];
  try {
    if (!agent.links) throw new Error("the host agent printed no links");
    const p = new URLSearchParams(new URL(agent.links.editor).hash.slice(1));
    for (let i = 0; i < JOINS; i++) {
      const t0 = performance.now();
      const peer = await joinNodePeer(server.url, agent.session, p.get('invite')!, p.get('key')!, { name: `joiner ${i}` });
      try {
        const host = await peer.peer('host', 30_000);
        times.push(performance.now() - t0);
        const path = await host.path();
        if (path?.kind !== "relay") throw new Error(`the connection went ${JSON.stringify(path)}, not through the relay`);
      } finally {
        await peer.dispose();
      }
    }
  } finally {
    await agent.dispose();
    await server.close();
  }
  ctx.log(`join → host admitted over the relay: p50 ${round(percentile(times, 50))} ms (n=${times.length}; target < 1500 ms)`);
  return times;
}

export const turnBench: BenchModule = {
  name: 'turn',
  keys: ['turn_echo_p50_ms', 'direct_echo_p50_ms', 'turn_echo_ratio', 'turn_throughput_mb_s', 'direct_throughput_mb_s', 'turn_throughput_ratio', 'connect_via_turn_ms'],
  budgetMs: 150_000,
  async run(ctx: BenchContext) {
    const ip = lanAddress();
    const first = await freePort((c, a) => spawnProcess(c, a), ip);
    const relayPorts: [number, number] = [first, Math.min(65535, first + RELAY_PORTS - 1)];
    const coturn = await startCoturn({ ip, relayPorts });
    let open: (() => void) | null = null;
    const context = await ctx.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto('about:blank');
      await preparePage(page);
      const relay = { iceServers: [{ urls: [coturn.turnUrls[0]], username: '', credential: '' }], iceTransportPolicy: 'relay' as const };
      const creds = () => {
        const { username, credential } = turnCredentialFor(coturn);
        relay.iceServers[0].username = username;
        relay.iceServers[0].credential = credential;
        return relay;
      };
      const r: Record<'direct' | 'turn', { rtt: number[]; mbs: number }> = {} as never;
      for (const how of ['direct', 'turn'] as const) {
        if (how === 'turn') open = onlyThroughRelay(coturn, relayPorts);
        const pair = how === 'direct' ? await connectPair(page) : await connectPair(page, { config: nodeRtcConfig(creds()), pageConfig: creds(), timeoutMs: 20_000 });
        try {
          const stats = (await pair.pc.getStats()) as unknown as Map<string, Record<string, unknown>>;
          const kind = [...stats.values()].find((v) => v.type === 'local-candidate')?.candidateType;
          if (how === 'turn' && kind !== 'relay') throw new Error(`the relayed channel went through a ${String(kind)} candidate`);
          r[how] = await measure(page, pair);
          ctx.log(`${how} (local candidate ${kind}): round trip ${describeLatency(r[how].rtt)}; throughput Node → browser ${round(r[how].mbs)} MB/s`);
        } finally {
          await pair.close();
        }
      }
      const res = ctx.results;
      res.direct_echo_p50_ms = round(percentile(r.direct.rtt, 50));
      res.turn_echo_p50_ms = round(percentile(r.turn.rtt, 50));
      res.turn_echo_ratio = round(percentile(r.turn.rtt, 50) / percentile(r.direct.rtt, 50));
      res.direct_throughput_mb_s = round(r.direct.mbs);
      res.turn_throughput_mb_s = round(r.turn.mbs);
      res.turn_throughput_ratio = round(r.turn.mbs / r.direct.mbs);
      ctx.log(`the relay costs: round trip ×${res.turn_echo_ratio}, throughput ×${res.turn_throughput_ratio} of direct`);
      res.connect_via_turn_ms = round(percentile(await joinsViaRelay(coturn, ctx), 50));
    } finally {
      open?.();
      await context.close();
      await stopAll();
    }
  }
};

function turnCredentialFor(c: Coturn): { username: string; credential: string } {
  return turnCredential(c.secret, 'bench', Date.now() / 1000);
}
