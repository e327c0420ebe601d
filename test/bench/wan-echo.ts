// Echo over the delayed-link profile (test/helpers/wan-link.ts: 40 ms ± 5 ms each way, 1 % loss
// each way): signaling and the host agent (bash with our shell integration) on one side, a Chromium
// of its own on the other. An editor types lines at the prompt, one key at a time as a person does;
// for each key, timed in the page from keydown:
//  - wan_echo_visible: the key is on screen — drawn by local echo prediction (the prediction layer's
//    DOM holds it), or, for a key that was not predicted, the host's echo parsed by xterm;
//  - wan_echo_confirmed: the host's echo parsed by xterm (the prediction is confirmed).
// The limit for `confirmed` is the link's round trip, measured by the page (its ICE candidate
// pair) in the same run: printed as a ratio.
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startHostProcess, startSignalingProcess, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { WanLink } from '../helpers/wan-link.ts';
import { describeLatency, percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import type { EchoSample } from './page-probe.ts';
import { installProbe } from './page-probe.ts';
import type { ProbeWindow } from './product.ts';

const LINES = 8;
/** keys per line (after `: `, so bash runs the no-op `:`) */
const LINE_KEYS = 25;
const ECHO_TIMEOUT_MS = 5_000;
const JOIN_TIMEOUT_MS = 60_000;

type WanWindow = ProbeWindow & { __visible: { key: string; down: number; visible: number | null }[] };

/** Runs in the page: for each printable keydown, when the prediction layer first shows that key. */
function watchVisible(): void {
  const w = window as unknown as WanWindow;
  w.__visible = [];
  window.addEventListener('keydown', (e) => e.key.length === 1 && w.__visible.push({ key: e.key, down: performance.now(), visible: null }), true);
  new MutationObserver(() => {
    const cur = w.__visible.at(-1);
    const layer = document.querySelector<HTMLElement>('[data-testid="echo-prediction"]');
    if (cur && cur.visible === null && layer?.dataset.shown?.endsWith(cur.key)) cur.visible = performance.now();
    // an init script runs before there is a body: the whole document is watched
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-shown'] });
}

/** Types one line (`: ` and LINE_KEYS letters, Enter) and waits for the next prompt; returns each letter's echo. */
async function typeLine(page: Page, first: number, line: number): Promise<EchoSample[]> {
  const samples: EchoSample[] = [];
  const keys = ': ' + Array.from({ length: LINE_KEYS }, (_, i) => String.fromCharCode(97 + ((line * 7 + i) % 26))).join('');
  let n = first;
  for (const key of keys) {
    const echoed = page.evaluate(([i, ms]) => (window as unknown as ProbeWindow).__probe.echoAfter(i, ms), [n++, ECHO_TIMEOUT_MS] as const);
    await page.keyboard.down(key === ' ' ? 'Space' : key);
    samples.push(await echoed);
    await page.keyboard.up(key === ' ' ? 'Space' : key);
  }
  // the next prompt's end mark (OSC 133 B) parsed by the page's xterm: the shell waits for the next line
  await page.evaluate(() => (window as unknown as ProbeWindow).__probe.arm('133;B'));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (window as unknown as ProbeWindow).__probe.flow?.parsedLast, null, { timeout: ECHO_TIMEOUT_MS });
  return samples;
}

export const wanEcho: BenchModule = {
  name: 'wan-echo',
  keys: ['wan_echo_visible_p50_ms', 'wan_echo_visible_p99_ms', 'wan_echo_confirmed_p50_ms', 'wan_echo_confirmed_p99_ms', 'wan_rtt_ms', 'wan_predicted_share'],
  budgetMs: 120_000,
  async run(ctx: BenchContext) {
    const lab = await WanLink.start();
    let signaling: SignalingProcess | undefined;
    let host: HostProcess | undefined;
    let browser: Browser | undefined;
    try {
      const run = lab.in('box');
      signaling = await startSignalingProcess({ run, args: ['--host', lab.boxIp, '--no-state'] });
      host = await startHostProcess(signaling.url, { run, shell: '/bin/bash' });
      browser = await launchBrowser({ executablePath: lab.chromium(), args: lab.chromiumArgs(new URL(signaling.url).origin) });
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      await context.addInitScript(installProbe);
      await context.addInitScript(watchVisible);
      const page = await context.newPage();
      const u = new URL(host.links.editor);
      u.searchParams.set('name', 'Far');
      await page.goto(u.href, { timeout: JOIN_TIMEOUT_MS });
      await page.waitForFunction(() => ((window as unknown as ProbeWindow).__probe?.resets ?? 0) > 0, null, { timeout: JOIN_TIMEOUT_MS });
      // prediction starts once the page has measured its round trip to the host
      const rtt = page.locator('[data-participant].self [data-testid="host-rtt"]');
      await rtt.waitFor({ timeout: JOIN_TIMEOUT_MS });
      ctx.results.wan_rtt_ms = Number(await rtt.getAttribute('data-ms'));
      await page.locator('[data-testid="terminal"]').first().click();
      // the first prompt: wait until the shell has printed its end mark (the snapshot may hold it already)
      await page.evaluate(() => (window as unknown as ProbeWindow).__probe.arm('133;B'));
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (window as unknown as ProbeWindow).__probe.flow?.parsedLast, null, { timeout: ECHO_TIMEOUT_MS });
      const echoes: EchoSample[] = [];
      for (let line = 0; line < LINES; line++) echoes.push(...(await typeLine(page, echoes.length, line)));
      const visible = await page.evaluate(() => (window as unknown as WanWindow).__visible);
      if (visible.length !== echoes.length) throw new Error(`${visible.length} keydowns seen by the page, ${echoes.length} echoes`);
      const confirmed = echoes.map((s) => s.parsed - s.down);
      const shown = echoes.map((s, i) => (visible[i].visible === null ? s.parsed : Math.min(visible[i].visible!, s.parsed)) - s.down);
      const predicted = visible.filter((v, i) => v.visible !== null && v.visible < echoes[i].parsed).length;
      ctx.results.wan_echo_visible_p50_ms = round(percentile(shown, 50));
      ctx.results.wan_echo_visible_p99_ms = round(percentile(shown, 99));
      ctx.results.wan_echo_confirmed_p50_ms = round(percentile(confirmed, 50));
      ctx.results.wan_echo_confirmed_p99_ms = round(percentile(confirmed, 99));
      ctx.results.wan_predicted_share = round(predicted / echoes.length);
      ctx.log(`link: ${lab.profile.delayMs} ± ${lab.profile.jitterMs} ms each way, ${lab.profile.lossPct} % loss each way; the page measured a ${ctx.results.wan_rtt_ms} ms round trip to the host`);
      ctx.log(`key → on screen (predicted, else the echo): ${describeLatency(shown)} (goal p50 < 5 ms); ${predicted}/${echoes.length} keys predicted`);
      const missed = visible.flatMap((v, i) => (v.visible !== null && v.visible < echoes[i].parsed ? [] : [`${i % (LINE_KEYS + 2)}`]));
      if (missed.length) ctx.log(`not predicted: keys at these places in their line: ${missed.join(', ')}`);
      ctx.log(`key → host's echo parsed (confirmed): ${describeLatency(confirmed)}; p50 / round trip = ${round(percentile(confirmed, 50) / ctx.results.wan_rtt_ms)}`);
      await context.close();
    } finally {
      await browser?.close().catch(() => {});
      await host?.stop();
      await signaling?.stop();
      await lab.stop();
    }
  }
};
