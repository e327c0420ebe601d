// The page's own share of the echo, with no network at all: the session screen over the UI test's
// FakeSession (test/ui/, served by its own Vite dev server; the fake echoes each key back at once
// through the same TerminalSink, XtermFeed and xterm setup as the real page). Keydown → the echo
// parsed by xterm (write callback), the same probe and key rhythm as the echo module: the third
// part of echo's physical limit (raw PTY echo + raw data-channel round trip + this).
import { startFakeUi } from '../ui/server.ts';
import { pressKeys } from './echo.ts';
import { describeLatency, percentile, round, type BenchContext, type BenchModule } from './harness.ts';
import { installProbe } from './page-probe.ts';

export const pageEcho: BenchModule = {
  name: 'page-echo',
  keys: ['raw_page_echo_p50_ms', 'raw_page_echo_p99_ms'],
  budgetMs: 60_000,
  async run(ctx: BenchContext) {
    const ui = await startFakeUi();
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      await context.addInitScript(installProbe);
      const page = await context.newPage();
      await page.goto(`${ui.url}?role=editor`);
      await page.locator('[data-testid="terminal"] .xterm').first().waitFor();
      await page.locator('[data-testid="terminal"]').first().click();
      const samples = await pressKeys(page);
      const parsed = samples.map((s) => s.parsed - s.down);
      ctx.results.raw_page_echo_p50_ms = round(percentile(parsed, 50));
      ctx.results.raw_page_echo_p99_ms = round(percentile(parsed, 99));
      ctx.log(`key → local echo parsed by the page's xterm, no network: ${describeLatency(parsed)}`);
    } finally {
      await context.close();
      await ui.close();
    }
  }
};
