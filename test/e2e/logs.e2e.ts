/**
 * Shared logs in Chromium: the host follows a JSON log (`--log`); an editor types a request id in
 * the logs panel's filter and presses Enter; every page then shows exactly the lines with that id,
 * and the host sent exactly those (the page's LogsClient counted what arrived). A viewer sees who
 * set the filter; clicking a field value filters by it.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { joinAs, SEE_TIMEOUT_MS } from '../helpers/session-page.ts';

let session: E2eSession;

beforeAll(async () => {
  session = await startE2eSession({ hostArgs: ['--log', 'app.log'] });
  let text = '';
  for (let i = 0; i < 2000; i++) {
    const id = `r-${String(i % 100).padStart(4, '0')}`;
    text += JSON.stringify({ time: new Date(Date.UTC(2026, 11, 1, 4, 0, 0) + i).toISOString(), level: i % 7 === 0 ? 'error' : 'info', msg: `handled ${i}`, service: i % 2 ? 'api' : 'web', request_id: id }) + '\n';
  }
  writeFileSync(join(session.cwd, 'app.log'), text);
});
afterAll(async () => {
  await session?.dispose();
});

const counts = (page: Page) => page.evaluate(() => { const l = (window as unknown as { __liveSessions: { logs: { received: number; skipped: number } } }).__liveSessions.logs; return { received: l.received, skipped: l.skipped }; });
const received = (page: Page) => page.evaluate(() => (window as unknown as { __liveSessions: { logs: { received: number; gen: number } } }).__liveSessions.logs.received);
const rows = (page: Page) => page.getByTestId('logs').getByTestId('log-line');

describe('logs panel', () => {
  it('a filter by request id shows exactly the matching lines on every page, and only those were sent', async () => {
    const { browser, host } = session;
    const ada = await joinAs(browser, host.links.editor, 'Ada');
    const vic = await joinAs(browser, host.links.viewer, 'Vic');
    for (const p of [ada, vic]) await p.page.getByTestId('open-logs').click();
    // unfiltered: the newest 1000 lines of the history
    await expect.poll(() => rows(vic.page).count(), { timeout: SEE_TIMEOUT_MS }).toBe(1000);

    await ada.page.getByTestId('log-filter').fill('r-0042');
    await ada.page.getByTestId('log-filter').press('Enter');
    for (const p of [ada, vic]) {
      await expect.poll(() => rows(p.page).count(), { timeout: SEE_TIMEOUT_MS }).toBe(20);
      const texts = await rows(p.page).allInnerTexts();
      expect(texts.every((t) => t.includes('r-0042'))).toBe(true);
      // what the host sent for this filter: those 20 lines, nothing else
      expect(await received(p.page)).toBe(20);
    }
    await expect.poll(() => vic.page.getByTestId('log-filter-by').innerText(), { timeout: SEE_TIMEOUT_MS }).toContain('set by Ada');
    expect(await vic.page.getByTestId('log-filter').inputValue()).toBe('r-0042');
    expect(await rows(vic.page).first().getByTestId('log-level').innerText()).toMatch(/info|error/i);

    // a field value is a filter: service=api among those
    await rows(ada.page).first().locator('[data-testid="log-field"][data-key="service"]').click();
    await expect.poll(() => rows(vic.page).count(), { timeout: SEE_TIMEOUT_MS }).toBe(20);
    await expect.poll(() => vic.page.getByTestId('log-filter').inputValue(), { timeout: SEE_TIMEOUT_MS }).toMatch(/r-0042 service=(api|web)/);

    // an invalid regex is refused under the input, the shared filter unchanged
    await ada.page.getByTestId('log-filter').fill('/(oops/');
    await ada.page.getByTestId('log-filter').press('Enter');
    await expect.poll(() => ada.page.getByTestId('log-filter-error').innerText(), { timeout: SEE_TIMEOUT_MS }).toContain('Not a valid regular expression');
    expect(await rows(vic.page).count()).toBe(20);
    for (const p of [ada, vic]) expect(p.errors).toEqual([]);
  });

  it('a flood past the rate a page may get shows where lines were skipped, and how many', async () => {
    const { browser, host, cwd } = session;
    const ed = await joinAs(browser, host.links.editor, 'Flo');
    await ed.page.getByTestId('open-logs').click();
    await ed.page.getByTestId('log-filter').fill('flood');
    await ed.page.getByTestId('log-filter').press('Enter');
    await expect.poll(() => ed.page.getByTestId('log-filter-by').innerText(), { timeout: SEE_TIMEOUT_MS }).toContain('set by Flo');
    let text = '';
    for (let i = 0; i < 20_000; i++) text += `level=info msg="flood ${i}" request_id=f-${i}\n`;
    appendFileSync(join(cwd, 'app.log'), text);
    // the default rate (2000 lines a second) cannot take 20 000 at once (the host's log worker
    // runs at a lower priority than the session: on a loaded machine the 20 000 take a while)
    await expect.poll(async () => { const c = await counts(ed.page); return c.received + c.skipped; }, { timeout: 4 * SEE_TIMEOUT_MS }).toBe(20_000);
    const { skipped } = await counts(ed.page);
    expect(skipped).toBeGreaterThan(0);
    const markers = await ed.page.getByTestId('log-skipped').allInnerTexts();
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) expect(m).toMatch(/^\d+ lines skipped/);
    await expect.poll(() => ed.page.getByTestId('logs').innerText(), { timeout: SEE_TIMEOUT_MS }).toContain(`${skipped} lines skipped so far`);
    expect(ed.errors).toEqual([]);
  });
});
