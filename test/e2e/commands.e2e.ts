/**
 * Who ran what, end to end: two editors run commands in one terminal (real bash with the host's
 * shell integration, real WebRTC); a viewer's commands panel shows each with its author and exit
 * code, and a late joiner gets the list.
 */
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { OpenedPage } from '../helpers/browser.ts';
import type { HostProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { joinAs, screenText, SEE_TIMEOUT_MS, typeInto, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;
let browser: Browser;
let host: HostProcess;
const people: OpenedPage[] = [];

beforeAll(async () => {
  session = await startE2eSession();
  ({ browser, host } = session);
});
afterAll(async () => {
  await session?.dispose();
});

async function commandRows(page: Page): Promise<string[]> {
  return page.getByTestId('commands').getByTestId('command').allInnerTexts();
}

interface MetaPart {
  top: number;
  left: number;
  right: number;
  /** whether its text is cut (wider than its box) */
  cut: boolean;
}

/** Where each row's meta parts (author, time, duration, exit code) are drawn, and the row's right edge inside its padding. */
async function metaLayout(page: Page): Promise<{ right: number; parts: Record<string, MetaPart | null> }[]> {
  return page
    .getByTestId('commands')
    .getByTestId('command')
    .evaluateAll((rows) =>
      rows.map((r) => {
        const part = (cls: string) => {
          const el = r.querySelector<HTMLElement>(`.meta .${cls}`);
          if (!el) return null;
          const b = el.getBoundingClientRect();
          return { top: Math.round(b.top), left: Math.round(b.left), right: Math.round(b.right), cut: el.scrollWidth > el.clientWidth };
        };
        return { right: Math.round(r.getBoundingClientRect().right - parseFloat(getComputedStyle(r).paddingRight)), parts: { who: part('who'), time: part('time'), dur: part('dur'), exit: part('exit') } };
      })
    );
}

async function waitForCommands(page: Page, n: number): Promise<string[]> {
  await expect.poll(async () => (await commandRows(page)).filter((t) => /exit/.test(t)).length, { timeout: SEE_TIMEOUT_MS }).toBeGreaterThanOrEqual(n);
  return commandRows(page);
}

describe('commands panel', () => {
  it('shows each command with who typed it and its exit code, on every page and for a late joiner', async () => {
    const ada = await joinAs(browser, host.links.editor, 'Ada');
    const bert = await joinAs(browser, host.links.editor, 'Bert');
    const vic = await joinAs(browser, host.links.viewer, 'Vic');
    people.push(ada, bert, vic);
    await typeInto(ada.page, 'echo from-ada-$((1+1))\n');
    await waitForScreen(vic.page, /^from-ada-2/m);
    // (Bert's command runs two folders down: its row shows the last two of its cwd)
    await typeInto(bert.page, 'mkdir -p work/app && cd work/app\n');
    await waitForCommands(vic.page, 2);
    await typeInto(bert.page, 'ls /no/such/dir-bert\n');
    await waitForScreen(vic.page, /dir-bert': No such file/m);
    const rows = await waitForCommands(vic.page, 3);
    const ran = rows.filter((r) => /from-ada|dir-bert/.test(r));
    expect(ran).toHaveLength(2);
    expect(ran[0]).toMatch(/echo from-ada-\$\(\(1\+1\)\)[\s\S]*Ada[\s\S]*exit 0/);
    expect(ran[1]).toMatch(/ls \/no\/such\/dir-bert[\s\S]*Bert[\s\S]*exit 2/);
    expect(ran[1]).not.toMatch(/Ada/);
    // the failed one is marked so (its class, its exit code in red), and each row says where it ran
    const rowOf = (text: string) => vic.page.getByTestId('commands').getByTestId('command').filter({ hasText: text });
    const failed = rowOf('dir-bert');
    expect(await failed.getAttribute('class')).toMatch(/\bfailed\b/);
    expect(await rowOf('from-ada').getAttribute('class')).not.toMatch(/\bfailed\b/);
    const red = (row: typeof failed) => row.locator('.exit').evaluate((el) => getComputedStyle(el).color);
    expect(await red(failed)).toBe('rgb(255, 123, 114)');
    expect(await red(rowOf('from-ada'))).not.toBe('rgb(255, 123, 114)');
    const cwd = failed.getByTestId('command-cwd');
    expect([`${session.cwd}/work/app`, `${realpathSync(session.cwd)}/work/app`]).toContain(await cwd.getAttribute('title'));
    expect(await cwd.innerText()).toBe('in …/work/app');
    expect(await rowOf('from-ada').getByTestId('command-cwd').getAttribute('title')).toMatch(/^\/.*live-sessions-e2e-cwd-[^/]+$/);
    // the copy button puts the command, as run, on the clipboard
    await vic.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(vic.page.url()).origin });
    await failed.getByRole('button', { name: 'Copy command' }).click();
    await expect.poll(() => vic.page.evaluate(() => navigator.clipboard.readText()), { timeout: SEE_TIMEOUT_MS }).toBe('ls /no/such/dir-bert');

    const late = await joinAs(browser, host.links.viewer, 'Lena');
    people.push(late);
    const lateRows = await waitForCommands(late.page, 3);
    expect(lateRows.filter((r) => /from-ada|dir-bert/.test(r))).toEqual(ran);
    for (const p of people) expect(p.errors).toEqual([]);
  });

  it('scrolls a terminal to a clicked command, marks command starts and failures in the gutter, and keeps each meta line on one line, at 800×600 too', async () => {
    const [ada, , vic, late] = people;
    await typeInto(ada.page, 'seq 1 200\n');
    await waitForScreen(vic.page, /^200$/m);
    const panel = vic.page.getByTestId('commands');
    await panel.getByTestId('command').filter({ hasText: 'from-ada' }).getByTestId('command-text').click();
    // the viewport (the accessibility tree mirrors its rows) now starts at that command
    await waitForScreen(vic.page, /echo from-ada-\$\(\(1\+1\)\)/);
    expect(await screenText(vic.page)).not.toMatch(/^200$/m);
    await expect.poll(() => vic.page.locator('.command-mark').count(), { timeout: SEE_TIMEOUT_MS }).toBeGreaterThanOrEqual(2);
    expect(await vic.page.locator('.command-mark.failed').count()).toBe(1);
    // author, time, duration and exit code share one line in every row, whole
    const wide = await metaLayout(vic.page);
    for (const { parts } of wide) {
      const shown = Object.values(parts).filter((p) => p !== null);
      expect(new Set(shown.map((p) => p.top)).size, JSON.stringify(wide)).toBe(1);
      expect(shown.filter((p) => p.cut), JSON.stringify(wide)).toEqual([]);
    }
    // at 800×600 (a narrow side panel) the time may go, but author, duration and exit code stay whole on one line
    await vic.page.setViewportSize({ width: 800, height: 600 });
    await expect
      .poll(async () => {
        const narrow = await metaLayout(vic.page);
        return narrow.flatMap(({ right, parts: { who, dur, exit } }) => {
          const bad = [];
          if (!who || who.right - who.left < 24) bad.push(`author ${JSON.stringify(who)}`);
          for (const [name, p] of Object.entries({ dur, exit })) if (!p || p.cut || p.right > right) bad.push(`${name} ${JSON.stringify(p)} (row ends at ${right})`);
          if (who && dur && exit && new Set([who.top, dur.top, exit.top]).size !== 1) bad.push(`not one line: ${[who.top, dur.top, exit.top]}`);
          return bad;
        });
      }, { timeout: SEE_TIMEOUT_MS })
      .toEqual([]);
    await vic.page.setViewportSize({ width: 1280, height: 720 });
    // a late joiner has no mark for what ran before it joined, and says so
    await late.page.getByTestId('commands').getByTestId('command').filter({ hasText: 'from-ada' }).getByTestId('command-text').click();
    await expect.poll(() => late.page.getByTestId('commands').getByRole('status').allInnerTexts(), { timeout: SEE_TIMEOUT_MS }).toEqual([
      expect.stringMatching(/Not in your terminal's scrollback/)
    ]);
    for (const p of people) expect(p.errors).toEqual([]);
  });
});
