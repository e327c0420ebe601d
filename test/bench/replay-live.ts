// What recording costs the live session: echo and throughput through the product with this
// browser's recorder on and off (the /replay page's setting), in the same run, alternating
// (off, on, off, on) so that a machine busy with something else hurts both alike.
// live_recording_overhead_pct is the worse of the two; target < 5 %.
// Throughput is the page's main-thread busy time (a CDP Profiler trace of the page's own thread:
// every sample but idle; a worker is a thread of its own, not in it) per MB of output it parsed, from output paced below what a page takes and below the host's flood rate (PACED_COMMAND): under a flat-out
// flood the host's flow control sends a page that falls behind screen frames instead of bytes
// (the page then idles ~70 % of the run and bytes delivered per second say nothing about it).
import type { Browser, BrowserContext } from 'playwright-core';
import { pressKeys } from './echo.ts';
import { percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import { END_MARKER } from './payload.ts';
import { COMMAND_SHELL, ECHO_SHELL, ProductSession, type Peer, type ProbeWindow } from './product.ts';
import { RECORD_SETTING } from '../../src/lib/replay/record-setting.ts';
import { FLOOD_BYTES, PAGE_FRAME_MS } from '../../host-agent/terminals/page-catch-up.ts';

const ROUNDS = 2;
/** 2.4 MB in bursts of 16 kB every 100 ms (≤ 160 kB/s): every byte reaches and is parsed by the
 * page. Under the host's flood rate (FLOOD_BYTES per PAGE_FRAME_MS, 64 KiB since the final-screen
 * work), past which it sends every page screen frames instead of the bytes: then every round
 * "fell behind" and was left out. */
const PACED_BURSTS = 150;
const PACED_BURST_BYTES = 16_000;
const PACED_GAP_S = 0.1;
// bursts in one flood window, and one more come late and together with the next
if ((Math.ceil(PAGE_FRAME_MS / (PACED_GAP_S * 1000)) + 1) * PACED_BURST_BYTES > FLOOD_BYTES) throw new Error('replay-live: the paced output would count as a flood');
const PACED_COMMAND = `for i in $(seq ${PACED_BURSTS}); do yes ${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(2)} | head -c ${PACED_BURST_BYTES}; sleep ${PACED_GAP_S}; done; printf 'BENCH-%s\\n' END`;
const TRANSFER_TIMEOUT_MS = 60_000;

/** A visitor whose browser records (or not), joined as an editor. */
async function visitor(browser: Browser, session: ProductSession, record: boolean): Promise<Peer> {
  const context: BrowserContext = await ProductSession.newVisitor(browser);
  await context.addInitScript(([key, on]) => (on ? localStorage.removeItem(key) : localStorage.setItem(key, 'off')), [RECORD_SETTING, record] as const);
  const peer = await session.openPeer(browser, 'editor', record ? 'Recording' : 'NotRecording', context);
  return {
    ...peer,
    close: async () => {
      // the setting did what it says: the recording is there (its first batch is written within
      // a second), or nothing is
      const n = await peer.page.waitForFunction(countRecordings, record ? 1 : 0, { timeout: 5000, polling: 100 }).then(
        () => null,
        () => peer.page.evaluate(countRecordings, -1)
      );
      await peer.close();
      await context.close();
      if (n !== null) throw new Error(`recording was turned ${record ? 'on' : 'off'}, and this browser has ${n} recordings`);
    }
  };
}

/** In the page: how many recordings this browser has; with `want` ≥ 0, whether that is `want`
 * (0) or more than 0 (1). */
async function countRecordings(want: number): Promise<number | boolean> {
  const db: IDBDatabase = await new Promise((res, rej) => {
    const r = indexedDB.open('live-sessions-replay');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const n = db.objectStoreNames.contains('recordings')
    ? await new Promise<number>((res) => {
        const q = db.transaction('recordings').objectStore('recordings').count();
        q.onsuccess = () => res(q.result);
      })
    : 0;
  db.close();
  return want < 0 ? n : Math.min(n, 1) === want;
}

async function echoP50(browser: Browser, session: ProductSession, record: boolean): Promise<number> {
  const p = await visitor(browser, session, record);
  try {
    await p.page.locator('[data-testid="terminal"]').first().click();
    const samples = await pressKeys(p.page);
    return percentile(samples.map((s) => s.parsed - s.down), 50);
  } finally {
    await p.close();
  }
}

interface Paced {
  /** main-thread ms per MB parsed */
  msPerMb: number;
  mb: number;
  /** resync snapshots (the page fell behind: should be 0) */
  resets: number;
}

/** The paced output through one visitor's page: its main thread's busy time per MB. */
async function pacedCost(browser: Browser, session: ProductSession, record: boolean): Promise<Paced> {
  const p = await visitor(browser, session, record);
  try {
    const cdp = await p.context.newCDPSession(p.page);
    await cdp.send('Profiler.enable');
    await p.page.evaluate((m) => (window as unknown as ProbeWindow).__probe.arm(m), END_MARKER);
    await cdp.send('Profiler.start');
    await p.page.evaluate((cmd) => {
      const s = (window as unknown as { __liveSessions: { terminals: { id: number }[]; input(id: number, d: string): void } }).__liveSessions;
      s.input(s.terminals[0].id, cmd + '\r');
    }, PACED_COMMAND);
    await p.page.waitForFunction(() => ((window as unknown as ProbeWindow).__probe.flow?.parsedLast ?? 0) > 0, null, { timeout: TRANSFER_TIMEOUT_MS, polling: 100 });
    const { profile } = await cdp.send('Profiler.stop');
    const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    const deltas = profile.timeDeltas ?? [];
    const ms = (profile.samples ?? []).reduce((sum, id, i) => sum + (idle.has(id) ? 0 : (deltas[i] ?? 0)), 0) / 1000;
    const f = await p.page.evaluate(() => (window as unknown as ProbeWindow).__probe.flow!);
    return { msPerMb: ms / (f.bytes / 1e6), mb: f.bytes / 1e6, resets: f.resets };
  } finally {
    await p.close();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** The page parsed (nearly) all of the paced output itself: what the throughput figure is about. */
const whole = (x: Paced) => x.mb * 1e6 >= 0.9 * PACED_BURSTS * PACED_BURST_BYTES;

/** BENCH_COMPARE=/path/to/other/checkout (built): its product measured the same way, rounds
 * alternating between the two. */
const COMPARE = process.env.BENCH_COMPARE;

interface Samples {
  echo: { on: number[]; off: number[] };
  tput: { on: Paced[]; off: Paced[] };
}
const samples = (): Samples => ({ echo: { on: [], off: [] }, tput: { on: [], off: [] } });

/** Starts one session per product (ours, then COMPARE's), runs `round` on each, ROUNDS times. */
async function alternate(shell: string, round: (s: ProductSession, into: Samples) => Promise<void>, into: Samples[]): Promise<void> {
  const sessions = [await ProductSession.start(shell)];
  try {
    if (COMPARE) sessions.push(await ProductSession.start(shell, [], undefined, `${COMPARE}/bin/live-sessions.js`));
    for (let i = 0; i < ROUNDS; i++) for (let k = 0; k < sessions.length; k++) await round(sessions[k], into[k]);
  } finally {
    await Promise.all(sessions.map((s) => s.dispose()));
  }
}

function report(ctx: BenchContext, who: string, s: Samples): { echoPct: number; tputPct: number } {
  const echoPct = (mean(s.echo.on) / mean(s.echo.off) - 1) * 100;
  // a round whose page fell behind (the host then sent it screen frames, not the bytes) measured
  // snapshots, not parsing: its ms per MB says nothing; left out (NaN when no round is left)
  const cost = (xs: Paced[]) => mean(xs.filter(whole).map((x) => x.msPerMb));
  const tputPct = (cost(s.tput.on) / cost(s.tput.off) - 1) * 100;
  const show = (xs: Paced[]) => xs.map((x) => `${round(x.msPerMb)} ms/MB (${round(x.mb)} MB${x.resets ? `, ${x.resets} resyncs` : ''}${whole(x) ? '' : ', fell behind: left out'})`).join(', ');
  ctx.log(`${who}echo p50 (key → parsed): recording off ${s.echo.off.map(round).join(', ')} ms, on ${s.echo.on.map(round).join(', ')} ms → +${round(echoPct)} %`);
  ctx.log(`${who}throughput (paced output, page main-thread time per MB parsed): off ${show(s.tput.off)}; on ${show(s.tput.on)} → ${Number.isNaN(tputPct) ? 'no round on both sides parsed it all' : `+${round(tputPct)} %`}`);
  return { echoPct, tputPct };
}

export const replayLiveBench: BenchModule = {
  name: 'replay-live',
  keys: ['live_recording_overhead_pct', 'live_recording_overhead_echo_pct', 'live_recording_overhead_throughput_pct'],
  budgetMs: COMPARE ? 480_000 : 240_000,
  async run(ctx: BenchContext) {
    const all = COMPARE ? [samples(), samples()] : [samples()];
    await alternate(ECHO_SHELL, async (session, s) => {
      for (const on of [false, true]) s.echo[on ? 'on' : 'off'].push(await echoP50(ctx.browser, session, on));
    }, all);
    await alternate(COMMAND_SHELL, async (session, s) => {
      for (const on of [false, true]) s.tput[on ? 'on' : 'off'].push(await pacedCost(ctx.browser, session, on));
    }, all);
    if (COMPARE) {
      const theirs = report(ctx, `compare (${COMPARE}): `, all[1]);
      ctx.log(`compare (${COMPARE}): live_recording_overhead_pct = ${round(Number.isNaN(theirs.tputPct) ? theirs.echoPct : Math.max(theirs.echoPct, theirs.tputPct))}`);
    }
    const { echoPct, tputPct } = report(ctx, '', all[0]);
    ctx.results.live_recording_overhead_echo_pct = round(echoPct);
    ctx.results.live_recording_overhead_throughput_pct = Number.isNaN(tputPct) ? null : round(tputPct);
    ctx.results.live_recording_overhead_pct = round(Number.isNaN(tputPct) ? echoPct : Math.max(echoPct, tputPct));
    ctx.log(`live_recording_overhead_pct = ${ctx.results.live_recording_overhead_pct} (target < 5)`);
  }
};
