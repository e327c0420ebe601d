// Lanes: does a small message (a keystroke and its echo) wait behind a 5 MB message on the same
// connection, and which sender design avoids it? Node ↔ Chromium, raw channels as in raw-dc.ts,
// designs from lanes-sender.ts (the same code on both sides). A 32-byte echo goes Node → page →
// Node every ECHO_EVERY_MS while 5 MB messages (chunked into 16 KiB frames by split()) cross the
// same RTCPeerConnection, Node → page or page → Node; the echo of the direction that carries the
// bulk waits in that side's sender. Echo figures count only echoes sent while a transfer ran.
// Each case runs REPETITIONS times (interleaved with the other cases); a key is the median of
// its repetitions and the log line shows all of them.
import type { Page } from 'playwright-core';
import { MAX_FRAME_BYTES } from '../../src/lib/protocol/frames.ts';
import { connectPair, preparePage, type DcPair } from './dc-pair.ts';
import { installLanesPage, type LanesPage } from './lanes-page.ts';
import { createLaneSender, type Design, type LaneSender } from './lanes-sender.ts';
import { mbPerSecond, percentile, round, sleep, type BenchContext, type BenchModule } from './harness.ts';

const BULK_BYTES = 5_000_000;
/** 5 MB messages per case and repetition. */
const TRANSFERS = 6;
const REPETITIONS = 3;
const ECHO_EVERY_MS = 5;
const ECHO_BYTES = 32;
/** Length of the idle (no bulk) echo run per repetition, ms. */
const IDLE_MS = 1_500;
/** As peer.ts: stop above HIGH buffered bytes, resume at LOW; prio-low stops bulk at BULK_HIGH. */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
const BULK_HIGH_WATER_BYTES = 256 * 1024;
/** 'window': most bulk bytes un-acknowledged; the receiver acks every ACK_EVERY_BYTES. */
const WINDOW_BYTES = 256 * 1024;
const ACK_EVERY_BYTES = 64 * 1024;
/** Negotiated channel ids (clear of the in-band 'bench' channel dc-pair.ts opens). */
const URGENT_ID = 10;
const BULK_ID = 11;
const TRANSFER_TIMEOUT_MS = 30_000;

const DESIGNS: { design: Design; key: string }[] = [
  { design: 'fifo', key: 'fifo' },
  { design: 'prio', key: 'prio' },
  { design: 'prio-low', key: 'prio_low' },
  { design: 'two', key: 'two_channels' },
  { design: 'two-low', key: 'two_channels_low' },
  { design: 'window', key: 'window' }
];
const DIRECTIONS = ['node2page', 'page2node'] as const;
type Direction = (typeof DIRECTIONS)[number];

type LanesWindow = { __lanes: LanesPage };

/** A bulk message as the bench's own frames `[3][last:u8] bytes`, each ≤ `max` bytes (the shape
 * of the product's chunks, with the byte the page side expects). */
function bulkFrames(bytes: number, max: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes; at += max - 2) {
    const n = Math.min(max - 2, bytes - at);
    const f = new Uint8Array(2 + n);
    f[0] = 3;
    f[1] = at + n >= bytes ? 1 : 0;
    parts.push(f);
  }
  return parts;
}

/** Node's end: the channels, the sender of the current design, the echo clock. */
class NodeEnd {
  sender: LaneSender | null = null;
  readonly parts = bulkFrames(BULK_BYTES, MAX_FRAME_BYTES);
  #seq = 0;
  #pending = new Map<number, { t: number; duringBulk: boolean }>();
  #samples: number[] = [];
  #bulkDone: (() => void) | null = null;
  #received = 0;
  #acked = 0;
  /** echoes sent while this is set count (during a transfer, or the whole idle run) */
  bulkActive = false;
  readonly urgent: RTCDataChannel;
  readonly bulk: RTCDataChannel;
  constructor(urgent: RTCDataChannel, bulk: RTCDataChannel) {
    this.urgent = urgent;
    this.bulk = bulk;
    for (const dc of [urgent, bulk]) dc.onmessage = (e) => this.#receive(new Uint8Array(e.data as ArrayBuffer));
  }

  #receive(b: Uint8Array): void {
    if (b[0] === 1) {
      const seq = new DataView(b.buffer, b.byteOffset).getUint32(1);
      const p = this.#pending.get(seq);
      this.#pending.delete(seq);
      if (p?.duringBulk) this.#samples.push(performance.now() - p.t);
    } else if (b[0] === 0 && b[1] === 3) {
      this.sender!.ack(new DataView(b.buffer, b.byteOffset).getUint32(2));
    } else if (b[0] === 0 && b[1] === 2) {
      this.#bulkDone?.();
    } else if (b[0] === 3) {
      this.#received += b.length;
      if (this.#received - this.#acked >= ACK_EVERY_BYTES || b[1] === 1) {
        this.#acked = this.#received;
        const ack = new Uint8Array(6);
        ack[1] = 3;
        new DataView(ack.buffer).setUint32(2, this.#received);
        this.sender!.send(ack, 'urgent');
      }
      if (b[1] === 1) this.#bulkDone?.();
    }
  }

  setDesign(design: Design): void {
    this.sender?.dispose();
    this.#received = this.#acked = 0;
    this.sender = createLaneSender({
      design,
      urgent: this.urgent,
      bulk: this.bulk,
      highBytes: HIGH_WATER_BYTES,
      lowBytes: LOW_WATER_BYTES,
      bulkHighBytes: BULK_HIGH_WATER_BYTES,
      windowBytes: WINDOW_BYTES
    });
  }

  /** Starts echoing every ECHO_EVERY_MS; the returned function stops and waits for the replies. */
  startEcho(): () => Promise<number[]> {
    this.#samples = [];
    const timer = setInterval(() => {
      const ping = new Uint8Array(ECHO_BYTES);
      ping[0] = 2;
      const seq = this.#seq++;
      new DataView(ping.buffer).setUint32(1, seq);
      this.#pending.set(seq, { t: performance.now(), duringBulk: this.bulkActive });
      this.sender!.send(ping, 'urgent');
    }, ECHO_EVERY_MS);
    return async () => {
      clearInterval(timer);
      const deadline = performance.now() + 5_000;
      while (this.#pending.size && performance.now() < deadline) await sleep(5);
      if (this.#pending.size) throw new Error(`${this.#pending.size} echoes never came back`);
      return this.#samples;
    };
  }

  /** One 5 MB message in `dir`; resolves with its duration, ms (until the receiver has it whole). */
  async transfer(dir: Direction): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve, reject) => {
      this.#bulkDone = resolve;
      timer = setTimeout(() => reject(new Error(`a ${dir} transfer did not finish within ${TRANSFER_TIMEOUT_MS} ms`)), TRANSFER_TIMEOUT_MS);
    });
    this.bulkActive = true;
    const t0 = performance.now();
    if (dir === 'node2page') for (const p of this.parts) this.sender!.send(p, 'bulk');
    else this.sender!.send(new Uint8Array([0, 1]), 'urgent');
    try {
      await done;
    } finally {
      clearTimeout(timer);
      this.bulkActive = false;
      this.#bulkDone = null;
    }
    return performance.now() - t0;
  }
}

interface CaseResult {
  p50: number;
  p99: number;
  max: number;
  n: number;
  mbs: number;
}

async function runCase(page: Page, end: NodeEnd, design: Design, dir: Direction | 'idle', transfers = TRANSFERS): Promise<CaseResult> {
  end.setDesign(design);
  await page.evaluate(
    ([d, h, l, b, w]) => (window as unknown as LanesWindow).__lanes.setDesign(d, h, l, b, w),
    [design, HIGH_WATER_BYTES, LOW_WATER_BYTES, BULK_HIGH_WATER_BYTES, WINDOW_BYTES] as const
  );
  const stop = end.startEcho();
  let ms = 0;
  if (dir === 'idle') {
    end.bulkActive = true;
    await sleep(IDLE_MS);
    end.bulkActive = false;
  } else {
    for (let i = 0; i < transfers; i++) {
      ms += await end.transfer(dir);
      await sleep(4 * ECHO_EVERY_MS);
    }
  }
  const s = await stop();
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: Math.max(...s), n: s.length, mbs: ms ? mbPerSecond(transfers * BULK_BYTES, ms) : NaN };
}

const median = (xs: number[]) => percentile(xs, 50);
const keysFor = (name: string, withMbs: boolean) => [`lanes_${name}_echo_p50_ms`, `lanes_${name}_echo_p99_ms`, ...(withMbs ? [`lanes_${name}_mb_s`] : [])];
const CASES = [
  { name: 'idle', design: 'fifo' as Design, dir: 'idle' as const },
  ...DESIGNS.flatMap(({ design, key }) => DIRECTIONS.map((dir) => ({ name: `${key}_${dir}`, design, dir })))
];

export const lanesBench: BenchModule = {
  name: 'lanes',
  keys: CASES.flatMap((c) => keysFor(c.name, c.dir !== 'idle')),
  budgetMs: 300_000,
  async run(ctx: BenchContext) {
    const context = await ctx.browser.newContext();
    let pair: DcPair | null = null;
    try {
      const page = await context.newPage();
      await page.goto('about:blank');
      await preparePage(page);
      await page.evaluate(installLanesPage, createLaneSender.toString());
      pair = await connectPair(page);
      const open = (id: number) =>
        new Promise<RTCDataChannel>((resolve) => {
          const dc = pair!.pc.createDataChannel(`lane-${id}`, { negotiated: true, id, ordered: true }) as unknown as RTCDataChannel;
          dc.binaryType = 'arraybuffer';
          if (dc.readyState === 'open') resolve(dc);
          else dc.onopen = () => resolve(dc);
        });
      const pageOpen = page.evaluate(([p, u, b, n, f]) => (window as unknown as LanesWindow).__lanes.open(p, u, b, n, f), [pair.id, URGENT_ID, BULK_ID, BULK_BYTES, MAX_FRAME_BYTES] as const);
      const [urgent, bulk] = await Promise.all([open(URGENT_ID), open(BULK_ID)]);
      await pageOpen;
      const end = new NodeEnd(urgent, bulk);
      // warm up both directions (SCTP congestion window, JIT) before anything counts
      for (const dir of DIRECTIONS) await runCase(page, end, 'fifo', dir, 2);

      const reps = new Map<string, CaseResult[]>();
      for (let r = 1; r <= REPETITIONS; r++) {
        for (const c of CASES) {
          const res = await runCase(page, end, c.design, c.dir);
          reps.set(c.name, [...(reps.get(c.name) ?? []), res]);
          const bulkText = c.dir === 'idle' ? '' : `; bulk ${round(res.mbs)} MB/s`;
          ctx.log(`rep ${r} ${c.name.padEnd(24)} echo p50 ${round(res.p50)} ms, p99 ${round(res.p99)} ms, max ${round(res.max)} ms (n=${res.n})${bulkText}`);
        }
      }
      ctx.log(`summary (median of ${REPETITIONS} repetitions [min … max]):`);
      const spread = (xs: number[]) => `${round(median(xs))} [${round(Math.min(...xs))} … ${round(Math.max(...xs))}]`;
      for (const c of CASES) {
        const rs = reps.get(c.name)!;
        const [k50, k99, kmb] = keysFor(c.name, c.dir !== 'idle');
        ctx.results[k50] = round(median(rs.map((x) => x.p50)));
        ctx.results[k99] = round(median(rs.map((x) => x.p99)));
        if (kmb) ctx.results[kmb] = round(median(rs.map((x) => x.mbs)));
        const mb = kmb ? `, bulk MB/s ${spread(rs.map((x) => x.mbs))}` : '';
        ctx.log(`  ${c.name.padEnd(24)} echo p50 ${spread(rs.map((x) => x.p50))}, p99 ${spread(rs.map((x) => x.p99))}${mb}`);
      }
    } finally {
      await pair?.close();
      await context.close();
    }
  }
};
