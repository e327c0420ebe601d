// Join time: open a viewer link in a new browser context (fresh storage and cache, as a new
// person) → the first terminal frame is rendered: the host's snapshot has been written into the
// page's xterm, parsed (write callback), and the next animation frame has come.
import { describeLatency, percentile, round, sleep, type BenchContext, type BenchModule } from './harness.ts';
import { COMMAND_SHELL, ProductSession, type ProbeWindow } from './product.ts';

const JOINS = 8;
/** Quiet time between joins, ms, so the host has seen the previous page leave. */
const GAP_MS = 300;

export const join: BenchModule = {
  name: 'join',
  keys: ['join_first_frame_ms', 'join_first_frame_max_ms', 'join_cached_p50_ms'],
  budgetMs: 90_000,
  async run(ctx: BenchContext) {
    const session = await ProductSession.start(COMMAND_SHELL);
    try {
      const times: number[] = [];
      const phases: Record<string, number[]> = { 'page loaded, app started': [], 'joined, meshed, snapshot arrived': [], 'snapshot parsed and painted': [] };
      for (let i = 0; i < JOINS; i++) {
        const t0 = Date.now();
        const peer = await session.openPeer(ctx.browser, 'viewer', `Joiner${i + 1}`);
        const at = await peer.page
          .waitForFunction(() => (window as unknown as ProbeWindow).__probe.firstFrameAt, null, { timeout: 10_000, polling: 'raf' })
          .then((h) => h.jsonValue() as Promise<number>);
        times.push(at - t0);
        const p = await peer.page.evaluate(() => (window as unknown as ProbeWindow).__probe);
        if (p.appAt && p.snapshotAt) {
          phases['page loaded, app started'].push(p.appAt - t0);
          phases['joined, meshed, snapshot arrived'].push(p.snapshotAt - p.appAt);
          phases['snapshot parsed and painted'].push(at - p.snapshotAt);
        }
        await peer.close();
        await sleep(GAP_MS);
      }
      // a returning visitor: the same context (its HTTP cache) opens the link again
      const visitor = await ProductSession.newVisitor(ctx.browser);
      const cached: number[] = [];
      try {
        for (let i = 0; i <= JOINS; i++) {
          const t0 = Date.now();
          const peer = await session.openPeer(ctx.browser, 'viewer', `Returning${i + 1}`, visitor);
          const at = await peer.page
            .waitForFunction(() => (window as unknown as ProbeWindow).__probe.firstFrameAt, null, { timeout: 10_000, polling: 'raf' })
            .then((h) => h.jsonValue() as Promise<number>);
          if (i > 0) cached.push(at - t0); // the first visit fills the cache
          await peer.close();
          await sleep(GAP_MS);
        }
      } finally {
        await visitor.close();
      }
      ctx.results.join_cached_p50_ms = round(percentile(cached, 50));
      ctx.log(`returning visitor (cached app) → first terminal frame: ${describeLatency(cached)}`);
      ctx.results.join_first_frame_ms = round(percentile(times, 50));
      ctx.results.join_first_frame_max_ms = round(Math.max(...times));
      ctx.log(`link opened → first terminal frame rendered: ${describeLatency(times)} (target < 1000 ms)`);
      ctx.log(`  all, ms: ${times.map((t) => Math.round(t)).join(' ')}`);
      for (const [what, v] of Object.entries(phases)) ctx.log(`  ${what}: p50 ${round(percentile(v, 50))} ms`);
    } finally {
      await session.dispose();
    }
  }
};
