// What recording costs the live session: echo and throughput through the product with this
// browser's recorder on and off (the /replay page's setting), in the same run, alternating
// (off, on, off, on) so that a machine busy with something else hurts both alike.
// live_recording_overhead_pct is the worse of the two; target < 5 %.
import type { Browser, BrowserContext } from 'playwright-core';
import { pressKeys } from './echo.ts';
import { mbPerSecond, percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import { END_MARKER, PAYLOAD_COMMAND } from './payload.ts';
import { COMMAND_SHELL, ECHO_SHELL, ProductSession, type Peer, type ProbeWindow } from './product.ts';
import { RECORD_SETTING } from '../../src/lib/replay/record-setting.ts';

const ROUNDS = 2;
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

async function transferMbs(browser: Browser, session: ProductSession, record: boolean): Promise<number> {
  const p = await visitor(browser, session, record);
  try {
    await p.page.evaluate((m) => (window as unknown as ProbeWindow).__probe.arm(m), END_MARKER);
    await p.page.evaluate((cmd) => {
      const s = (window as unknown as { __liveSessions: { terminals: { id: number }[]; input(id: number, d: string): void } }).__liveSessions;
      s.input(s.terminals[0].id, cmd + '\r');
    }, PAYLOAD_COMMAND);
    await p.page.waitForFunction(() => ((window as unknown as ProbeWindow).__probe.flow?.parsedLast ?? 0) > 0, null, { timeout: TRANSFER_TIMEOUT_MS, polling: 100 });
    const f = await p.page.evaluate(() => (window as unknown as ProbeWindow).__probe.flow!);
    return mbPerSecond(f.bytes, f.parsedLast - f.first);
  } finally {
    await p.close();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export const replayLiveBench: BenchModule = {
  name: 'replay-live',
  keys: ['live_recording_overhead_pct', 'live_recording_overhead_echo_pct', 'live_recording_overhead_throughput_pct'],
  budgetMs: 240_000,
  async run(ctx: BenchContext) {
    const echo = { on: [] as number[], off: [] as number[] };
    let session = await ProductSession.start(ECHO_SHELL);
    try {
      for (let i = 0; i < ROUNDS; i++) for (const on of [false, true]) echo[on ? 'on' : 'off'].push(await echoP50(ctx.browser, session, on));
    } finally {
      await session.dispose();
    }
    const tput = { on: [] as number[], off: [] as number[] };
    session = await ProductSession.start(COMMAND_SHELL);
    try {
      for (let i = 0; i < ROUNDS; i++) for (const on of [false, true]) tput[on ? 'on' : 'off'].push(await transferMbs(ctx.browser, session, on));
    } finally {
      await session.dispose();
    }
    const echoPct = (mean(echo.on) / mean(echo.off) - 1) * 100;
    const tputPct = (mean(tput.off) / mean(tput.on) - 1) * 100;
    ctx.results.live_recording_overhead_echo_pct = round(echoPct);
    ctx.results.live_recording_overhead_throughput_pct = round(tputPct);
    ctx.results.live_recording_overhead_pct = round(Math.max(echoPct, tputPct));
    ctx.log(`echo p50 (key → parsed): recording off ${echo.off.map(round).join(', ')} ms, on ${echo.on.map(round).join(', ')} ms → +${round(echoPct)} %`);
    ctx.log(`throughput (1 peer, parsed by xterm): off ${tput.off.map(round).join(', ')} MB/s, on ${tput.on.map(round).join(', ')} MB/s → +${round(tputPct)} % time`);
    ctx.log(`live_recording_overhead_pct = ${ctx.results.live_recording_overhead_pct} (target < 5)`);
  }
};
