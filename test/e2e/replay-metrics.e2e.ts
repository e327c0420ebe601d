/**
 * The host's metrics and pinned log lines in a replay, in Chromium: a real host samples this box
 * and follows a log; an editor types a command and pins a line while their page records. On
 * /replay/[id] the pin is a timeline marker, and small charts (the live panel's) show the samples
 * up to the position, with the command on their time axis, moving with a seek.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { joinAs, SEE_TIMEOUT_MS, typeInto, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;

beforeAll(async () => {
  session = await startE2eSession({ hostArgs: ['--log', 'app.log'] });
  let text = '';
  for (let i = 0; i < 50; i++) text += JSON.stringify({ time: new Date(Date.UTC(2026, 11, 1, 4, 0, i)).toISOString(), level: 'info', msg: `handled ${i}`, request_id: `q-${i}` }) + '\n';
  writeFileSync(join(session.cwd, 'app.log'), text);
});
afterAll(async () => {
  await session?.dispose();
});

type Replayed = { t: number; meta: { started: number } | null; metrics: { samples: { t: number }[] } | null };
/** The replay's position and the newest sample it shows, ms since the epoch. */
const shown = (page: Page) =>
  page.evaluate(() => {
    const r = (window as unknown as { __replay: Replayed }).__replay;
    return { at: (r.meta?.started ?? 0) + r.t, newest: r.metrics?.samples.at(-1)?.t ?? null, count: r.metrics?.samples.length ?? 0 };
  });
const liveSamples = (page: Page) => page.evaluate(() => (window as unknown as { __liveSessions: { metrics: { samples: unknown[] } | null } }).__liveSessions.metrics?.samples.length ?? 0);

describe('metrics and pins in the replay', () => {
  it('shows the charts at the position, the command on them, and the pinned line on the timeline', async () => {
    const { browser, host } = session;
    const ada = await joinAs(browser, host.links.editor, 'Ada');
    await typeInto(ada.page, 'echo sampled-$((20+3))\n');
    await waitForScreen(ada.page, /^sampled-23/m);
    await ada.page.getByTestId('open-logs').click();
    const row = ada.page.getByTestId('logs').getByTestId('log-line').filter({ hasText: 'handled 7' });
    // a line's actions show under the pointer, as for a person
    await row.hover();
    await row.getByTestId('log-pin').click();
    await expect.poll(() => ada.page.getByTestId('log-pins').innerText(), { timeout: SEE_TIMEOUT_MS }).toContain('handled 7');
    // a few samples while recording (one a second), after the window the join brought
    const had = await liveSamples(ada.page);
    await expect.poll(() => liveSamples(ada.page), { timeout: SEE_TIMEOUT_MS }).toBeGreaterThanOrEqual(Math.min(had + 4, 600));

    // another tab of Ada's browser: the same IndexedDB, the live page keeps recording
    const tab = await ada.context.newPage();
    const origin = new URL(host.links.editor).origin;
    const sessionId = new URL(host.links.editor).pathname.split('/').pop()!;
    let id = '';
    await expect
      .poll(
        async () => {
          await tab.goto(`${origin}/replay`);
          await tab.getByTestId('recordings').waitFor();
          const ids = await tab.getByTestId('recording').evaluateAll((rows, s) => rows.filter((r) => r.textContent?.includes(s)).map((r) => (r as HTMLElement).dataset.id!), sessionId);
          return (id = ids[0] ?? '');
        },
        { timeout: SEE_TIMEOUT_MS }
      )
      .not.toBe('');
    await tab.goto(`${origin}/replay/${encodeURIComponent(id)}`);
    await tab.getByTestId('timeline').waitFor();
    const pin = tab.locator('[data-testid="marker"][data-kind="log-pin"]');
    await expect.poll(() => pin.getAttribute('aria-label'), { timeout: SEE_TIMEOUT_MS }).toMatch(/Pinned: .*handled 7.*\(Ada\)/);

    await tab.keyboard.press('End');
    const charts = tab.getByTestId('replay-metrics').getByTestId('metrics-chart');
    await expect.poll(() => charts.locator('canvas').count(), { timeout: SEE_TIMEOUT_MS }).toBe(4);
    await expect.poll(() => charts.first().innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/CPU busy \d+%/);
    const end = await shown(tab);
    expect(end.newest).not.toBeNull();
    expect(end.newest!).toBeLessThanOrEqual(end.at);
    expect(end.at - end.newest!).toBeLessThan(5000);
    // the command is on the charts' time axis
    const cmd = charts.first().locator('[data-testid="metrics-marker"][data-kind="command"]');
    await expect.poll(() => cmd.evaluateAll((els) => els.map((e) => e.getAttribute('title'))), { timeout: SEE_TIMEOUT_MS }).toEqual([expect.stringMatching(/echo sampled-\$\(\(20\+3\)\)/)]);

    // back to the middle: the charts end there, before the newest sample
    await tab.keyboard.press('5');
    await expect.poll(async () => (await shown(tab)).newest ?? Infinity, { timeout: SEE_TIMEOUT_MS }).toBeLessThan(end.newest!);
    const start = await shown(tab);
    expect(start.newest!).toBeLessThanOrEqual(start.at);
    expect(start.count).toBeLessThanOrEqual(120);
    expect(ada.errors).toEqual([]);
  });
});
