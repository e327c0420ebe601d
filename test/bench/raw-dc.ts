// Physical limit of the data channel, browser ↔ host, with the stacks the product uses: Chromium
// in a page and node-datachannel's RTCPeerConnection in Node, no signaling server in between.
// Measures connect time (new RTCPeerConnection → channel open), the round trip of a 16-byte
// ping/pong, and Node → browser throughput in 16 KiB frames under bufferedAmount backpressure.
import type { Page } from 'playwright-core';
import { connectPair, preparePage, type DcPair } from './dc-pair.ts';
import type { PageBench } from './dc-page.ts';
import { describeLatency, mbPerSecond, percentile, round, sleep, type BenchContext, type BenchModule } from './harness.ts';

const CONNECTS = 20;
/** Pause between connects, ms, so each starts from quiet sockets. */
const CONNECT_GAP_MS = 50;
const PINGS = 500;
const PING_WARMUP = 20;
const PING_BYTES = 16;
/** Frame size and total of the throughput run (52.4 MB ≥ 50 MB). */
const FRAME_BYTES = 16 * 1024;
const THROUGHPUT_BYTES = 3200 * FRAME_BYTES;
/** Backpressure: stop sending above HIGH, resume on `bufferedamountlow` at LOW (bytes). */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = HIGH_WATER_BYTES / 4;
const PONG_TIMEOUT_MS = 2_000;
/** Failed connects tolerated (each logged with its timeline) before the module fails. */
const MAX_CONNECT_FAILURES = 2;

type Timeline = [number, string][];

function nextMessage(dc: RTCDataChannel, timeoutMs: number): Promise<MessageEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on the data channel within ${timeoutMs} ms`)), timeoutMs);
    dc.onmessage = (e) => {
      clearTimeout(timer);
      dc.onmessage = null;
      resolve(e);
    };
  });
}

function setMode(page: Page, id: number, mode: Parameters<PageBench['setMode']>[1]) {
  return page.evaluate(([id, mode]) => (window as unknown as { __bench: PageBench }).__bench.setMode(id, mode), [id, mode] as const);
}

async function connects(page: Page, ctx: BenchContext): Promise<void> {
  const times: number[] = [];
  let slowest: { ms: number; timeline: Timeline } | null = null;
  let failed = 0;
  for (let i = 0; i < CONNECTS; i++) {
    let pair: DcPair;
    try {
      pair = await connectPair(page);
    } catch (err) {
      // Seen about once in three runs, so far only in the full bench: say how far it got, go on.
      if (++failed > MAX_CONNECT_FAILURES) throw err;
      const timeline = (err as { timeline?: Timeline }).timeline ?? [];
      ctx.log(`connect ${i + 1} FAILED (${(err as Error).message}): ${timeline.map(([t, what]) => `${t} ${what}`).join(' | ')}`);
      continue;
    }
    times.push(pair.connectMs);
    if (!slowest || pair.connectMs > slowest.ms) slowest = { ms: pair.connectMs, timeline: pair.timeline };
    await pair.close();
    await sleep(CONNECT_GAP_MS);
  }
  ctx.results.raw_dc_connect_p50_ms = round(percentile(times, 50));
  ctx.results.raw_dc_connect_max_ms = round(Math.max(...times));
  ctx.log(`connect (new RTCPeerConnection → open): p50 ${round(percentile(times, 50))} ms, max ${round(Math.max(...times))} ms (n=${times.length})`);
  if (failed) ctx.log(`  ${failed} of ${CONNECTS} connects failed and are not in the figures`);
  ctx.log(`  all, ms: ${times.map((t) => Math.round(t)).join(' ')}`);
  if (slowest) ctx.log(`  slowest: ${slowest.timeline.map(([t, what]) => `${t} ${what}`).join(' | ')}`);
}

async function roundTrips(page: Page, pair: DcPair, ctx: BenchContext): Promise<void> {
  await setMode(page, pair.id, { kind: 'echo' });
  const ping = new Uint8Array(PING_BYTES);
  const samples: number[] = [];
  for (let i = 0; i < PING_WARMUP + PINGS; i++) {
    ping[0] = i & 0xff;
    const pong = nextMessage(pair.dc, PONG_TIMEOUT_MS);
    const t0 = performance.now();
    pair.dc.send(ping);
    await pong;
    if (i >= PING_WARMUP) samples.push(performance.now() - t0);
  }
  ctx.results.raw_dc_rtt_p50_ms = round(percentile(samples, 50));
  ctx.results.raw_dc_rtt_p99_ms = round(percentile(samples, 99));
  ctx.log(`round trip (${PING_BYTES} B ping/pong): ${describeLatency(samples)}`);
}

async function throughput(page: Page, pair: DcPair, ctx: BenchContext): Promise<void> {
  await setMode(page, pair.id, { kind: 'sink', bytes: THROUGHPUT_BYTES });
  const { dc } = pair;
  dc.bufferedAmountLowThreshold = LOW_WATER_BYTES;
  const frame = new Uint8Array(FRAME_BYTES);
  const done = nextMessage(dc, 120_000);
  let waits = 0;
  const t0 = performance.now();
  for (let sent = 0; sent < THROUGHPUT_BYTES; sent += FRAME_BYTES) {
    if (dc.bufferedAmount > HIGH_WATER_BYTES) {
      waits++;
      await new Promise((resolve) => dc.addEventListener('bufferedamountlow', resolve, { once: true }));
    }
    dc.send(frame);
  }
  const reply = String((await done).data);
  const ms = performance.now() - t0;
  if (!reply.startsWith('done ')) throw new Error(`the page answered ${reply.slice(0, 40)} instead of "done <bytes>"`);
  const mbs = mbPerSecond(THROUGHPUT_BYTES, ms);
  ctx.results.raw_dc_mb_s = round(mbs);
  ctx.log(`throughput Node → browser: ${round(mbs)} MB/s (${THROUGHPUT_BYTES} B in ${FRAME_BYTES} B frames, ${Math.round(ms)} ms, ${waits} backpressure waits)`);
}

export const rawDc: BenchModule = {
  name: 'raw-dc',
  keys: ['raw_dc_rtt_p50_ms', 'raw_dc_rtt_p99_ms', 'raw_dc_mb_s', 'raw_dc_connect_p50_ms', 'raw_dc_connect_max_ms'],
  budgetMs: 90_000,
  async run(ctx: BenchContext) {
    const context = await ctx.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto('about:blank');
      await preparePage(page);
      await connects(page, ctx);
      const pair = await connectPair(page);
      try {
        await roundTrips(page, pair, ctx);
        await throughput(page, pair, ctx);
      } finally {
        await pair.close();
      }
    } finally {
      await context.close();
    }
  }
};
