// Echo through the product: a key pressed in a real browser peer (an editor) → data channel →
// host agent → PTY → the same raw-mode `cat` as raw-pty.ts writes it back → host → data channel →
// that browser's xterm has parsed it (its write callback). Timed inside the page, from the keydown
// event (capturing listener, before xterm sees the key) to the write callback; and to the next
// requestAnimationFrame after it (`echo_paint`, reported, not gated).
import type { Page } from 'playwright-core';
import { describeLatency, percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import type { EchoSample } from './page-probe.ts';
import { ECHO_SHELL, ProductSession, type ProbeWindow } from './product.ts';

const KEYSTROKES = 300;
const WARMUP = 20;
/** BENCH_COMPARE=/path/to/other/checkout (built): its programs measured beside ours, alternating. */
const COMPARE = process.env.BENCH_COMPARE;
const COMPARE_BLOCK = 25;
/** Longest wait for one echo, ms. */
const ECHO_TIMEOUT_MS = 3_000;

/** Presses KEYSTROKES keys (after WARMUP) in `page`'s focused terminal and collects the probe's samples
 *  (`from`/`count`: a slice of that sequence, for interleaving two products). */
export async function pressKeys(page: Page, from = 0, count = WARMUP + KEYSTROKES): Promise<EchoSample[]> {
  const samples: EchoSample[] = [];
  for (let i = from; i < from + count; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    const echoed = page.evaluate(([n, ms]) => (window as unknown as ProbeWindow).__probe.echoAfter(n, ms), [i, ECHO_TIMEOUT_MS] as const);
    // down, then up once the echo is in: a person's key-up comes tens of ms later, and a
    // key-up input event sent at once would be handled before the echo's network message
    await page.keyboard.down(key);
    const s = await echoed;
    await page.keyboard.up(key);
    if (s.key !== key) throw new Error(`expected the echo of "${key}", the page saw "${s.key}"`);
    if (i >= WARMUP) samples.push(s);
  }
  return samples;
}

export const echo: BenchModule = {
  name: 'echo',
  keys: ['echo_p50_ms', 'echo_p99_ms', 'echo_ratio', 'echo_ratio_2part', 'echo_paint_p50_ms'],
  budgetMs: 60_000,
  async run(ctx: BenchContext) {
    const session = await ProductSession.start(ECHO_SHELL);
    const other = COMPARE ? await ProductSession.start(ECHO_SHELL, [], undefined, `${COMPARE}/bin/live-sessions.js`) : null;
    try {
      const editor = await session.openPeer(ctx.browser, 'editor', 'Echo');
      await editor.page.locator('[data-testid="terminal"]').first().click();
      let samples: EchoSample[];
      if (other) {
        // before/after in the same run: blocks of keys alternate between the two products
        const page2 = (await other.openPeer(ctx.browser, 'editor', 'Echo')).page;
        await page2.locator('[data-testid="terminal"]').first().click();
        samples = [];
        const theirs: EchoSample[] = [];
        await pressKeys(editor.page, 0, WARMUP);
        await pressKeys(page2, 0, WARMUP);
        for (let at = WARMUP; at < WARMUP + KEYSTROKES; at += COMPARE_BLOCK) {
          samples.push(...(await pressKeys(editor.page, at, COMPARE_BLOCK)));
          theirs.push(...(await pressKeys(page2, at, COMPARE_BLOCK)));
        }
        ctx.log(`compare (${COMPARE}): key → echo parsed: ${describeLatency(theirs.map((s) => s.parsed - s.down))}`);
        ctx.log(`  of which input → echo at the TerminalSink: ${describeLatency(theirs.map((s) => s.arrived - s.input))}`);
      } else {
        samples = await pressKeys(editor.page);
      }
      const parsed = samples.map((s) => s.parsed - s.down);
      const arrived = samples.map((s) => s.arrived - s.down);
      const input = samples.map((s) => s.input - s.down);
      const trip = samples.map((s) => s.arrived - s.input);
      const paint = samples.map((s) => s.paint - s.down);
      const p50 = percentile(parsed, 50);
      ctx.results.echo_p50_ms = round(p50);
      ctx.results.echo_p99_ms = round(percentile(parsed, 99));
      ctx.results.echo_paint_p50_ms = round(percentile(paint, 50));
      ctx.log(`key → echo parsed by xterm (write callback): ${describeLatency(parsed)}`);
      ctx.log(`  of which keydown → SessionState.input (xterm's onData): ${describeLatency(input)}`);
      ctx.log(`  of which input → echo at the TerminalSink (network, host, PTY): ${describeLatency(trip)}`);
      ctx.log(`key → echo at the TerminalSink (before xterm): ${describeLatency(arrived)}`);
      const half = parsed.length / 2;
      ctx.log(`  first half ${describeLatency(parsed.slice(0, half))}; second half ${describeLatency(parsed.slice(half))}`);
      ctx.log(`key → next animation frame after the write callback: ${describeLatency(paint)}`);
      const { raw_pty_echo_p50_ms: pty, raw_dc_rtt_p50_ms: rtt, raw_page_echo_p50_ms: pageEcho } = ctx.results;
      if (pty != null && rtt != null) {
        ctx.results.echo_ratio_2part = round(p50 / (pty + rtt));
        ctx.log(`echo_ratio_2part = ${round(p50)} / (raw PTY ${pty} + raw DC round trip ${rtt}) = ${ctx.results.echo_ratio_2part}`);
      }
      if (pty != null && rtt != null && pageEcho != null) {
        const ratio = p50 / (pty + rtt + pageEcho);
        ctx.results.echo_ratio = round(ratio);
        ctx.log(`echo_ratio = ${round(p50)} / (raw PTY ${pty} + raw DC round trip ${rtt} + raw page echo ${pageEcho}) = ${round(ratio)} (target ≤ 1.2); p99 ${round(percentile(parsed, 99))} ms (target < 10)`);
      } else {
        ctx.log('echo_ratio: no raw PTY / data-channel / page-echo figures from this run');
      }
    } finally {
      await session.dispose();
      await other?.dispose();
    }
  }
};
