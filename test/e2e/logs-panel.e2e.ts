/**
 * The logs panel clicked through in Chromium, against a real host following a JSON log and a
 * command: context around a line (lines before and after, from the host's history), a pin a late
 * joiner sees, pause and follow, jump to a time, copy a line, a field's value as the filter; then
 * the sources: a command that exited is shown and restarted from the page, an editor adds a file
 * and a command, a path outside the shared folder is refused under the input, and a viewer has no
 * such controls and is refused when they send the request anyway; a `--log` glob's file created
 * after the start shows up too.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeLogs } from '../../src/lib/protocol/logs.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { startHostProcess } from '../helpers/processes.ts';
import { joinAs, sendRaw, sessionState, SEE_TIMEOUT_MS } from '../helpers/session-page.ts';

let session: E2eSession;
const T0 = Date.UTC(2026, 11, 1, 4, 0, 0);
const line = (i: number, msg = `handled ${i}`) => JSON.stringify({ time: new Date(T0 + i * 1000).toISOString(), level: i % 9 === 0 ? 'warn' : 'info', msg, service: 'api', request_id: `q-${i}` });

beforeAll(async () => {
  session = await startE2eSession({ hostArgs: ['--log', 'app.log', '--log-cmd', 'echo from-cmd; exit 3'] });
  writeFileSync(join(session.cwd, 'app.log'), Array.from({ length: 200 }, (_, i) => line(i) + '\n').join(''));
});
afterAll(async () => {
  await session?.dispose();
});

const panel = (page: Page) => page.getByTestId('logs');
const rows = (page: Page) => panel(page).getByTestId('log-line');
/** The row of the line whose message is exactly `msg`. */
const rowOf = (page: Page, msg: string) => rows(page).filter({ hasText: new RegExp(`${msg}(?!\\d)`) });
async function filterBy(page: Page, q: string): Promise<void> {
  await page.getByTestId('log-filter').fill(q);
  await page.getByTestId('log-filter').press('Enter');
}

describe('logs panel, clicked through', () => {
  it('context, pins for late joiners, pause/follow, jump to a time, copy, and a field as the filter', async () => {
    const { browser, host, cwd } = session;
    const ada = await joinAs(browser, host.links.editor, 'Ada');
    await ada.page.getByTestId('open-logs').click();
    await filterBy(ada.page, 'handled');
    await expect.poll(() => rows(ada.page).count(), { timeout: SEE_TIMEOUT_MS }).toBe(200);

    // context: 10 lines either side of `handled 42` (line 43 of the file), as the file has them
    const r42 = rowOf(ada.page, 'handled 42');
    await r42.hover();
    await r42.getByTestId('log-context').click();
    const ctx = panel(ada.page).getByTestId('log-context-lines').locator('div');
    await expect.poll(() => ctx.count(), { timeout: SEE_TIMEOUT_MS }).toBe(21);
    const ctxText = await ctx.allInnerTexts();
    expect(ctxText[0]).toMatch(/^33 .*handled 32"/);
    expect(ctxText[10]).toMatch(/^43 .*handled 42"/);
    expect(ctxText[20]).toMatch(/^53 .*handled 52"/);

    // pin it; someone who joins later sees the pin, and who pinned it
    await r42.hover();
    await r42.getByTestId('log-pin').click();
    await expect.poll(() => panel(ada.page).getByTestId('log-pins').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Ada:.*handled 42/);
    const lee = await joinAs(browser, host.links.viewer, 'Lee');
    await lee.page.getByTestId('open-logs').click();
    await expect.poll(() => panel(lee.page).getByTestId('log-pins').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Ada:.*handled 42/);
    expect(await panel(lee.page).getByTestId('log-pin').count()).toBe(0);

    // copy: the line as the source has it
    await ada.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(host.links.editor).origin });
    const r7 = rowOf(ada.page, 'handled 7');
    await r7.hover();
    await r7.getByTestId('log-copy').click();
    await expect.poll(() => ada.page.evaluate(() => navigator.clipboard.readText()), { timeout: SEE_TIMEOUT_MS }).toBe(line(7));

    // pause: new lines wait (counted on the button) until Follow
    await ada.page.getByTestId('log-pause').click();
    expect(await ada.page.getByTestId('log-pause').getAttribute('aria-pressed')).toBe('true');
    appendFileSync(join(cwd, 'app.log'), [200, 201, 202].map((i) => line(i) + '\n').join(''));
    await expect.poll(() => ada.page.getByTestId('log-pause').innerText(), { timeout: SEE_TIMEOUT_MS }).toBe('Follow (3 new)');
    expect(await rowOf(ada.page, 'handled 202').count()).toBe(0);
    await ada.page.getByTestId('log-pause').click();
    await expect.poll(() => rowOf(ada.page, 'handled 202').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    // following: the newest line is in the list's view
    const inView = async () => {
      const [box, row] = [await panel(ada.page).getByTestId('log-lines').boundingBox(), await rowOf(ada.page, 'handled 202').boundingBox()];
      return row!.y >= box!.y && row!.y + row!.height <= box!.y + box!.height + 1;
    };
    await expect.poll(inView, { timeout: SEE_TIMEOUT_MS }).toBe(true);

    // jump to a time: pauses, and the first line at or after it is at the top of the list
    await ada.page.getByTestId('log-jump').fill(new Date(T0 + 30_000).toISOString());
    await ada.page.getByTestId('log-jump').press('Enter');
    await expect.poll(() => ada.page.getByTestId('log-pause').getAttribute('aria-pressed'), { timeout: SEE_TIMEOUT_MS }).toBe('true');
    const list = await panel(ada.page).getByTestId('log-lines').boundingBox();
    await expect.poll(async () => Math.abs((await rowOf(ada.page, 'handled 30').boundingBox())!.y - list!.y), { timeout: SEE_TIMEOUT_MS }).toBeLessThan(4);
    // …and the newest is scrolled out of the list's view
    expect((await rowOf(ada.page, 'handled 202').boundingBox())!.y).toBeGreaterThan(list!.y + list!.height);
    await ada.page.getByTestId('log-pause').click();

    // a parsed field's value is a filter, for everyone
    const r99 = rowOf(ada.page, 'handled 99');
    await r99.locator('[data-testid="log-field"][data-key="request_id"]').click();
    for (const p of [ada.page, lee.page]) {
      await expect.poll(() => rows(p).allInnerTexts(), { timeout: SEE_TIMEOUT_MS }).toEqual([expect.stringContaining('handled 99')]);
    }
    expect(await ada.page.getByTestId('log-filter').inputValue()).toBe('handled request_id=q-99');
    await expect.poll(() => lee.page.getByTestId('log-filter-by').innerText(), { timeout: SEE_TIMEOUT_MS }).toContain('set by Ada');
    expect(ada.errors).toEqual([]);
    expect(lee.errors).toEqual([]);
    await Promise.all([ada.close(), lee.close()]);
  });

  it('restarts a command that exited, adds a file and a command from the page, and refuses a viewer', async () => {
    const { browser, host, cwd } = session;
    writeFileSync(join(cwd, 'other.log'), 'other-line-1\nother-line-2\n');
    const ed = await joinAs(browser, host.links.editor, 'Ed');
    const vic = await joinAs(browser, host.links.viewer, 'Vic');
    for (const p of [ed, vic]) await p.page.getByTestId('open-logs').click();
    await filterBy(ed.page, '');
    const sources = (p: Page) => panel(p).getByTestId('log-source');

    // the command exited: shown with how, and run again from the page
    const cmd = sources(ed.page).filter({ hasText: 'echo from-cmd' });
    await expect.poll(() => cmd.innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/exited/);
    expect(await cmd.locator('.state').getAttribute('title')).toBe('exited with code 3');
    expect(await panel(vic.page).getByTestId('log-restart').count()).toBe(0);
    const before = await rowOf(ed.page, 'from-cmd').count();
    await panel(ed.page).getByTestId('log-restart').click();
    await expect.poll(() => rowOf(vic.page, 'from-cmd').count(), { timeout: SEE_TIMEOUT_MS }).toBe(before + 1);

    // a file below the shared folder, and a command, added by an editor: everyone gets their lines
    await panel(ed.page).getByLabel('Source kind').selectOption('file');
    await panel(ed.page).getByTestId('log-add-spec').fill('other.log');
    await panel(ed.page).getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => sources(vic.page).allInnerTexts(), { timeout: SEE_TIMEOUT_MS }).toContainEqual(expect.stringMatching(/^other\.log following/));
    await expect.poll(() => rowOf(vic.page, 'other-line-2').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    await panel(ed.page).getByLabel('Source kind').selectOption('cmd');
    await panel(ed.page).getByTestId('log-add-spec').fill('echo added-from-page');
    await panel(ed.page).getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => rowOf(vic.page, 'added-from-page').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);

    // outside the shared folder: refused, said under the input
    await panel(ed.page).getByLabel('Source kind').selectOption('file');
    await panel(ed.page).getByTestId('log-add-spec').fill('../outside.log');
    await panel(ed.page).getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => panel(ed.page).getByTestId('log-filter-error').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/\.\./);
    const count = await sources(ed.page).count();

    // a viewer has no form, and a request sent past the page is refused by the host
    expect(await panel(vic.page).getByTestId('log-add-spec').count()).toBe(0);
    expect(await sendRaw(vic.page, writeLogs({ type: 'add-source', req: 1, kind: 'cmd', spec: 'echo sneaky' }))).toBeGreaterThan(0);
    await expect.poll(async () => (await sessionState(vic.page))?.error, { timeout: SEE_TIMEOUT_MS }).toBe('Viewers cannot add log sources.');
    expect(await sources(ed.page).count()).toBe(count);
    expect(ed.errors).toEqual([]);
  });
  it("follows a --log glob's files created later, and lists the pattern with its count", async () => {
    const { browser, signaling, cwd } = session;
    mkdirSync(join(cwd, 'g'));
    writeFileSync(join(cwd, 'g', 'a.log'), 'level=info msg="first-file-line"\n');
    const globbed = await startHostProcess(signaling.url, { cwd, shell: '/bin/bash', args: ['--log', 'g/*.log'] });
    const gus = await joinAs(browser, globbed.links.viewer, 'Gus');
    await gus.page.getByTestId('open-logs').click();
    await expect.poll(() => rowOf(gus.page, 'first-file-line').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    await expect.poll(() => panel(gus.page).getByTestId('log-glob').innerText(), { timeout: SEE_TIMEOUT_MS }).toBe('g/*.log 1 file; new matches are followed too');
    writeFileSync(join(cwd, 'g', 'b.log'), 'level=warn msg="created-after-start"\n');
    await expect.poll(() => rowOf(gus.page, 'created-after-start').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    await expect.poll(() => panel(gus.page).getByTestId('log-glob').innerText(), { timeout: SEE_TIMEOUT_MS }).toBe('g/*.log 2 files; new matches are followed too');
    expect(await panel(gus.page).getByTestId('log-source').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^a\.log/), expect.stringMatching(/^b\.log/)]));
    expect(gus.errors).toEqual([]);
    await globbed.stop();
  });
});
