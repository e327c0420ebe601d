// Shared logs through the product: a real host process follows a 1M-line JSON log (`--log`), an
// editor's page in Chromium holds the LogsClient (its panel closed: the pipeline, not the DOM).
//   log_lines_per_s       the file written at once → every line matched on the host (a filter
//                         every line passes) and delivered to the page (lines/s; target ≥ 50k)
//   log_lines_per_s_panel_open  the same with the logs panel open (a person watching the flood),
//                         over BENCH_LOG_PANEL_LINES lines (default 200k) in a session of its own
//   log_filter_change_ms  a new filter (a request id in 10 of the 1M lines, ~100 MB of history)
//                         → its first lines at the page (median of 3; target < 500)
//   log_scan_ratio_vs_grep that time / `grep -F -c` of the same id over the same file, same run
//   log_echo_p99_flood_ms / log_echo_flood_ratio  echo p99 while 50k lines/s are appended and
//                         filtered (none match) vs the echo p99 in the same session without
//                         (target ≤ 1.5)
//   log_host_cpu_ms_per_m_lines / log_page_cpu_ms_per_m_lines  CPU time (user + system) the host
//                         process and the page's renderers spent on step 1, per 1M lines (the
//                         host's also by thread, in the readable line)
// BENCH_LOG_LINES=N       a smaller file while working on it (default 1M); BENCH_LOG_ROUNDS=N
//                         deliveries (medians reported); BENCH_COMPARE=DIR another checkout's too;
//                         BENCH_LOG_PROFILE=DIR the page's JS profile of each delivery (.cpuprofile)
import { spawnSync } from 'node:child_process';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { makeTempDir } from '../helpers/tmp.ts';
import { processCpuMs, RendererCpu, threadCpuMs } from './cpu.ts';
import { pressKeys } from './echo.ts';
import { percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import { ECHO_SHELL, ProductSession, type ProbeWindow } from './product.ts';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);
/** Lines of the delivery with the panel open. */
const PANEL_LINES = Number(process.env.BENCH_LOG_PANEL_LINES ?? Math.min(LINES, 200_000));
/** How long the delivery with the panel open may take (then its rate is of the lines that came). */
const PANEL_WAIT_MS = 30_000;
/** Deliveries of the whole file (BENCH_LOG_ROUNDS); the figures are their medians. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_LOG_ROUNDS ?? 1));
/** BENCH_COMPARE=/path/to/other/checkout (built): its programs deliver the file too, rounds alternating. */
const COMPARE = process.env.BENCH_COMPARE;
const PROFILE = process.env.BENCH_LOG_PROFILE;
/** the rare id: in lines 50k, 150k, … (10 of them) */
const RARE_EVERY = 100_000;
const FLOOD_LINES_PER_S = 50_000;
const FLOOD_TICK_MS = 100;

type LogsWindow = { __liveSessions: { logs: { received: number; skipped: number; gen: number; setFilter(f: unknown): Promise<void> } } };

function line(i: number, rare: string): string {
  const id = i % RARE_EVERY === RARE_EVERY / 2 ? rare : `r-${(i % 9973).toString(36).padStart(4, '0')}`;
  return `{"time":"2026-12-01T04:00:00.000Z","level":"${i % 50 ? 'info' : 'error'}","msg":"GET /api/v1/items/${i} 200","service":"api","request_id":"${id}","ms":${i % 300}}\n`;
}

function logText(n: number, rare: string, from = 0): string {
  const parts: string[] = [];
  for (let i = from; i < from + n; i++) parts.push(line(i, rare));
  return parts.join('');
}

const logs = (page: Page) => ({
  counts: () => page.evaluate(() => { const l = (window as unknown as LogsWindow).__liveSessions.logs; return { received: l.received, skipped: l.skipped }; }),
  /** sets the filter; resolves with ms from the call to its first line at the page */
  filterMs: (filter: unknown) =>
    page.evaluate(async (f) => {
      const l = (window as unknown as LogsWindow).__liveSessions.logs;
      const t0 = performance.now();
      const gen = l.gen;
      const done = l.setFilter(f);
      while (!(l.gen !== gen && l.received > 0)) await new Promise((r) => setTimeout(r, 1));
      const ms = performance.now() - t0;
      await done;
      return ms;
    }, filter),
  setFilter: (filter: unknown) => page.evaluate((f) => (window as unknown as LogsWindow).__liveSessions.logs.setFilter(f), filter)
});

/** What delivering the whole file at once gave in one session. */
interface Delivery {
  linesPerS: number;
  skipped: number;
  /** CPU per 1M lines, ms: the host process (and by thread), the page's renderers */
  host: number;
  threads: string;
  page: number;
}

/** The whole file written at once (the host follows it, its filter passes every line) → every
 * line at the page; the host's and the renderers' CPU meanwhile. `panel`: with the logs panel
 * open (its rows drawn while they come). */
async function deliver(ctx: BenchContext, session: ProductSession, page: Page, file: string, text: string, panel = false): Promise<Delivery> {
  const n = panel ? PANEL_LINES : LINES;
  const PER_M = (cpuMs: number) => round((cpuMs * 1e6) / n);
  const l = logs(page);
  await l.setFilter({ text: 'GET /api' }); // every line passes: the host matches each one
  if (panel) {
    await page.getByTestId('open-logs').click();
    await page.getByTestId('log-lines').waitFor();
  }
  const pid = session.host.process.child.pid;
  const renderers = await RendererCpu.open(ctx.browser);
  const [host0, threads0, page0] = [processCpuMs(pid), threadCpuMs(pid), await renderers.ms()];
  const cdp = PROFILE ? await page.context().newCDPSession(page) : null;
  if (cdp) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
  const t0 = performance.now();
  writeFileSync(file, text);
  const all = page.waitForFunction((n) => { const x = (window as unknown as LogsWindow).__liveSessions.logs; return x.received + x.skipped >= n; }, n, { timeout: panel ? PANEL_WAIT_MS : 180_000, polling: 50 });
  // with the panel open, a page that takes only a few lines a second is measured on what it took by then
  await (panel ? all.catch(() => ctx.log(`panel open: not all ${n} lines at the page after ${PANEL_WAIT_MS / 1000} s; lines/s of those that were`)) : all);
  const ms = performance.now() - t0;
  const [host1, threads1, page1] = [processCpuMs(pid), threadCpuMs(pid), await renderers.ms()];
  if (cdp && PROFILE) writeFileSync(join(PROFILE, `page-${Date.now()}.cpuprofile`), JSON.stringify((await cdp.send('Profiler.stop')).profile));
  const { received, skipped } = await l.counts();
  const byThread = [...threads1].map(([name, t]) => [name, t - (threads0.get(name) ?? 0)] as const).filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1]);
  return { linesPerS: Math.round(received / (ms / 1000)), skipped, host: PER_M(host1 - host0), threads: byThread.map(([n, t]) => `${n} ${PER_M(t)}`).join(', '), page: PER_M(page1 - page0) };
}

const HOST_ARGS = (file: string) => ['--log', file, '--log-history', '256', '--log-rate', '1000000'];

/** One delivery in a session of its own: through another checkout's programs (BENCH_COMPARE) or ours. */
async function deliverAlone(ctx: BenchContext, cli: string | undefined, text: string, panel: boolean): Promise<Delivery> {
  const dir = makeTempDir('live-sessions-bench-logs-alone-');
  const file = join(dir, 'big.log');
  const session = await ProductSession.start(ECHO_SHELL, HOST_ARGS(file), dir, cli);
  try {
    const editor = await session.openPeer(ctx.browser, 'editor', 'Logs');
    return await deliver(ctx, session, editor.page, file, text, panel);
  } finally {
    await session.dispose();
    rmSync(file, { force: true });
  }
}

const summary = (d: Delivery) => `${d.linesPerS} lines/s, ${d.skipped} skipped; CPU per 1M lines: host ${d.host} ms (${d.threads}), page renderers ${d.page} ms`;

export const logsBench: BenchModule = {
  name: 'logs',
  keys: ['log_lines_per_s', 'log_lines_per_s_panel_open', 'log_host_cpu_ms_per_m_lines', 'log_page_cpu_ms_per_m_lines', 'log_filter_change_ms', 'log_grep_ms', 'log_scan_ratio_vs_grep', 'log_echo_p99_ms', 'log_echo_p99_flood_ms', 'log_echo_flood_ratio'],
  budgetMs: 300_000 * ROUNDS * (COMPARE ? 2 : 1),
  async run(ctx: BenchContext) {
    const rare = 'req-rare-7f3a';
    const text = logText(LINES, rare);
    const panelText = logText(PANEL_LINES, rare);
    const ours: Delivery[] = [];
    const theirs: Delivery[] = [];
    const oursOpen: Delivery[] = [];
    const theirsOpen: Delivery[] = [];
    const base = COMPARE && join(COMPARE, 'bin/live-sessions.js');
    // rounds alternate: theirs (when comparing), then ours; the last of ours goes on to steps 2, 3
    for (let r = 1; ; r++) {
      if (base) {
        theirsOpen.push(await deliverAlone(ctx, base, panelText, true));
        ctx.log(`round ${r}, ${COMPARE}, panel open: ${summary(theirsOpen.at(-1)!)}`);
      }
      oursOpen.push(await deliverAlone(ctx, undefined, panelText, true));
      ctx.log(`round ${r}, panel open: ${PANEL_LINES} lines: ${summary(oursOpen.at(-1)!)}`);
      if (base) {
        theirs.push(await deliverAlone(ctx, base, text, false));
        ctx.log(`round ${r}, ${COMPARE}: ${summary(theirs.at(-1)!)}`);
      }
      const dir = makeTempDir('live-sessions-bench-logs-');
      const file = join(dir, 'big.log');
      const session = await ProductSession.start(ECHO_SHELL, HOST_ARGS(file), dir);
      try {
        const editor = await session.openPeer(ctx.browser, 'editor', 'Logs');
        ours.push(await deliver(ctx, session, editor.page, file, text));
        ctx.log(`round ${r}: ${LINES} lines (${(text.length / 1e6).toFixed(0)} MB) matched and delivered: ${summary(ours.at(-1)!)}`);
        if (r < ROUNDS) continue;
        const mid = (f: (d: Delivery) => number, of: Delivery[]) => percentile(of.map(f), 50);
        ctx.results.log_lines_per_s = mid((d) => d.linesPerS, ours);
        ctx.results.log_lines_per_s_panel_open = mid((d) => d.linesPerS, oursOpen);
        ctx.results.log_host_cpu_ms_per_m_lines = mid((d) => d.host, ours);
        ctx.results.log_page_cpu_ms_per_m_lines = mid((d) => d.page, ours);
        const spread = (of: Delivery[]) => `lines/s p50 ${mid((d) => d.linesPerS, of)} (${of.map((d) => d.linesPerS).join(', ')}); CPU per 1M lines p50 host ${mid((d) => d.host, of)} ms, page ${mid((d) => d.page, of)} ms`;
        ctx.log(`ours: ${spread(ours)} (target ≥ 50000 lines/s)`);
        if (COMPARE) ctx.log(`${COMPARE}: ${spread(theirs)}`);
        ctx.log(`ours, panel open: ${spread(oursOpen)}`);
        if (COMPARE) ctx.log(`${COMPARE}, panel open: ${spread(theirsOpen)}`);
        await filterAndEcho(ctx, editor.page, file, rare);
        return;
      } finally {
        await session.dispose();
        rmSync(file, { force: true });
      }
    }
  }
};

/** Steps 2 and 3 in a session whose host followed the whole file. */
async function filterAndEcho(ctx: BenchContext, page: Page, file: string, rare: string): Promise<void> {
  const l = logs(page);
  // 2. a new filter over the history → its first lines at the page; grep -F over the same file
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    times.push(await l.filterMs({ fields: [{ key: 'id', value: rare }] }));
    await l.setFilter({ level: 'fatal' }); // something else in between, so the next is a change
  }
  const filterMs = percentile(times, 50);
  const g0 = performance.now();
  const grep = spawnSync('grep', ['-F', '-c', rare, file], { encoding: 'utf8' });
  const grepMs = performance.now() - g0;
  ctx.results.log_filter_change_ms = round(filterMs);
  ctx.results.log_grep_ms = round(grepMs);
  ctx.results.log_scan_ratio_vs_grep = round(filterMs / grepMs);
  ctx.log(`filter change over the history → first lines at the page: ${times.map(round).join(', ')} ms (median ${round(filterMs)}; target < 500)`);
  ctx.log(`grep -F -c over the same file: ${round(grepMs)} ms (${grep.stdout.trim()} lines); ratio ${ctx.results.log_scan_ratio_vs_grep}`);

  // 3. echo, then echo while a flood is appended and filtered (nothing matches)
  await l.setFilter({ fields: [{ key: 'id', value: rare }] });
  await page.locator('[data-testid="terminal"]').first().click();
  const calm = (await pressKeys(page)).map((s) => s.parsed - s.down);
  // the probe numbers echoes from the page's start: the second round must not read the first's
  await page.evaluate(() => void ((window as unknown as ProbeWindow).__probe.echoes.length = 0));
  let at = LINES;
  const perTick = (FLOOD_LINES_PER_S * FLOOD_TICK_MS) / 1000;
  const flood = setInterval(() => {
    appendFileSync(file, logText(perTick, 'never-matches', at));
    at += perTick;
  }, FLOOD_TICK_MS);
  let busy: number[];
  try {
    busy = (await pressKeys(page)).map((s) => s.parsed - s.down);
  } finally {
    clearInterval(flood);
  }
  const p99 = percentile(calm, 99);
  const p99Flood = percentile(busy, 99);
  ctx.results.log_echo_p99_ms = round(p99);
  ctx.results.log_echo_p99_flood_ms = round(p99Flood);
  ctx.results.log_echo_flood_ratio = round(p99Flood / p99);
  ctx.log(`echo p99 ${round(p99)} ms; while ${at - LINES} lines were appended and filtered (${FLOOD_LINES_PER_S}/s): p99 ${round(p99Flood)} ms; ratio ${ctx.results.log_echo_flood_ratio} (target ≤ 1.5)`);
}
