// Join time: open a viewer link in a new browser context (fresh storage and cache, as a new
// person) → the first terminal frame is rendered: the host's snapshot has been written into the
// page's xterm, parsed (write callback), and the next animation frame has come. Timed from the
// page's navigation start (performance.timeOrigin), as the peers' join (peers.ts), so that making
// the browser context and tab is not counted for anyone. Each join's steps (page-probe.ts marks,
// navigation and resource timing) are printed as p50s, to show where the time goes.
import type { BrowserContext, Page } from 'playwright-core';
import { describeLatency, percentile, round, sleep, type BenchContext, type BenchModule } from './harness.ts';
import { COMMAND_SHELL, ProductSession, type ProbeWindow } from './product.ts';

const JOINS = 8;
/** Quiet time between joins, ms, so the host has seen the previous page leave. */
const GAP_MS = 300;
/** BENCH_COMPARE=/path/to/other/checkout (built): its programs measured beside ours, alternating. */
const COMPARE = process.env.BENCH_COMPARE;

/** The steps of one join, ms since navigation start, in the order they normally happen. */
const STEPS = ['html', 'scripts', 'app', 'jwks', 'credential', 'ws-open', 'pc', 'dtls', 'dc-open', 'dc-message', 'attach', 'snapshot', 'frame'] as const;
type Steps = Partial<Record<(typeof STEPS)[number], number>>;

/** Waits for the first frame; returns ms from navigation start to it, and the steps. */
async function firstFrame(page: Page): Promise<Steps> {
  await page.waitForFunction(() => (window as unknown as ProbeWindow).__probe.firstFrameAt, null, { timeout: 10_000, polling: 'raf' });
  return page.evaluate(() => {
    const p = (window as unknown as ProbeWindow).__probe;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const end = (re: RegExp, before = Infinity) => {
      const ends = res.filter((r) => re.test(r.name) && r.startTime < before).map((r) => r.responseEnd);
      return ends.length ? Math.max(...ends) : undefined;
    };
    return {
      html: nav?.responseEnd,
      // the app's code and styles that were fetched before the app started
      scripts: end(/\/_app\//, p.marks.app ?? Infinity),
      app: p.marks.app,
      jwks: end(/jwks\.json/),
      credential: end(/\/join$/),
      'ws-open': p.marks['ws-open'],
      pc: p.marks.pc,
      dtls: p.marks.dtls,
      'dc-open': p.marks['dc-open'],
      'dc-message': p.marks['dc-message'],
      attach: p.marks.attach,
      snapshot: p.marks.snapshot,
      frame: p.firstFrameAt! - performance.timeOrigin
    };
  });
}

async function joins(ctx: BenchContext, sessions: ProductSession[], n: number, visitor?: (s: ProductSession) => BrowserContext): Promise<Steps[][]> {
  const out: Steps[][] = sessions.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const [k, session] of sessions.entries()) {
      const peer = await session.openPeer(ctx.browser, 'viewer', `Joiner${i + 1}`, visitor?.(session));
      out[k].push(await firstFrame(peer.page));
      await peer.close();
      await sleep(GAP_MS);
    }
  }
  return out;
}

function describeSteps(ctx: BenchContext, label: string, all: Steps[]): void {
  const p50 = (k: keyof Steps) => round(percentile(all.map((s) => s[k]).filter((v): v is number => v != null), 50));
  ctx.log(`  ${label} steps, p50 ms since navigation start: ${STEPS.map((k) => `${k} ${p50(k)}`).join(', ')}`);
}

export const join: BenchModule = {
  name: 'join',
  keys: ['join_first_frame_ms', 'join_first_frame_max_ms', 'join_cached_p50_ms'],
  budgetMs: 180_000,
  async run(ctx: BenchContext) {
    const sessions = [await ProductSession.start(COMMAND_SHELL)];
    try {
      if (COMPARE) sessions.push(await ProductSession.start(COMMAND_SHELL, [], undefined, `${COMPARE}/bin/live-sessions.js`));
      const fresh = await joins(ctx, sessions, JOINS);
      // a returning visitor: the same context (its HTTP cache) opens the link again; the first visit fills the cache
      const visitors = await Promise.all(sessions.map(() => ProductSession.newVisitor(ctx.browser)));
      let cached: Steps[][];
      try {
        cached = await joins(ctx, sessions, JOINS + 1, (s) => visitors[sessions.indexOf(s)]);
      } finally {
        await Promise.all(visitors.map((v) => v.close()));
      }
      for (const [k, label] of (COMPARE ? ['ours', `compare (${COMPARE})`] : ['ours']).entries()) {
        const times = fresh[k].map((s) => s.frame!);
        const again = cached[k].slice(1).map((s) => s.frame!);
        ctx.log(`${label}: link opened → first terminal frame rendered: ${describeLatency(times)} (target < 1000 ms)`);
        ctx.log(`  all, ms: ${times.map((t) => Math.round(t)).join(' ')}`);
        describeSteps(ctx, 'new visitor', fresh[k]);
        ctx.log(`${label}: returning visitor (cached app) → first terminal frame: ${describeLatency(again)}`);
        describeSteps(ctx, 'returning visitor', cached[k].slice(1));
        if (k > 0) continue;
        ctx.results.join_first_frame_ms = round(percentile(times, 50));
        ctx.results.join_first_frame_max_ms = round(Math.max(...times));
        ctx.results.join_cached_p50_ms = round(percentile(again, 50));
      }
    } finally {
      await Promise.all(sessions.map((s) => s.dispose()));
    }
  }
};
