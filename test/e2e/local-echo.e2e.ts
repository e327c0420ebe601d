/**
 * Local echo over a slow link (test/helpers/wan-link.ts: ~80 ms round trip, jitter, 1 % loss each
 * way): the host agent and signaling on one side, Chromium on the other. Keys typed at the shell
 * prompt show at once, underlined, and the host's echo confirms them; nothing is predicted at a
 * `read -s` password prompt or in full-screen programs (vi, less). Each person's round trip to the
 * host is in the participants list.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type OpenedPage } from '../helpers/browser.ts';
import { startHostProcess, startSignalingProcess, stopAll, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { joinAs, screenText, waitForScreen } from '../helpers/session-page.ts';
import { removeTempDirs } from '../helpers/tmp.ts';
import { WanLink } from '../helpers/wan-link.ts';

const SEE_MS = 20_000;
/** bash's prompt, as the user's own rc files make it, waiting at its end */
const PROMPT = /[#$] $/m;
let lab: WanLink;
let signaling: SignalingProcess;
let browser: Browser;
let host: HostProcess;
let far: OpenedPage;

/** What the prediction layer drew, in order, with what the terminal showed at that moment. */
interface Drawn {
  shown: string;
  underlined: boolean;
  screen: string;
}

/** Runs in the page: records every change of the prediction layer. */
function watchPredictions(): void {
  const w = window as unknown as { __drawn: Drawn[] };
  w.__drawn = [];
  const screen = () => document.querySelector('[data-testid="terminal"] .xterm-accessibility-tree')?.textContent ?? '';
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target as HTMLElement;
      const shown = el.dataset.shown ?? '';
      if (shown === (w.__drawn.at(-1)?.shown ?? '')) continue;
      w.__drawn.push({ shown, underlined: [...el.children].some((s) => (s as HTMLElement).style.textDecoration === 'underline'), screen: screen() });
    }
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-shown'] });
}

const drawn = (page: Page) => page.evaluate(() => (window as unknown as { __drawn: Drawn[] }).__drawn.splice(0));
const layer = (page: Page) => page.locator('[data-testid="terminal"] [data-testid="echo-prediction"]').first();
const count = async (page: Page, key: 'confirmed' | 'wrong') => Number(await layer(page).getAttribute(`data-${key}`));

/** Types `text` one key at a time (as a person does; xterm sees each keydown). */
async function typeKeys(page: Page, text: string): Promise<void> {
  for (const ch of text) await page.keyboard.press(ch === '\n' ? 'Enter' : ch);
}

/** An empty command line: Ctrl+U clears whatever an earlier test left on it. */
async function freshPrompt(page: Page): Promise<void> {
  await page.keyboard.press('Control+U');
  await waitForScreen(page, PROMPT, undefined, SEE_MS);
}

/** A host agent on the box running `shell`, and an editor's page on the far side. */
async function hostAndPage(shell: string): Promise<[HostProcess, OpenedPage]> {
  const h = await startHostProcess(signaling.url, { run: lab.in('box'), shell });
  const page = await joinAs(browser, h.links.editor, 'Farah');
  await page.page.evaluate(watchPredictions);
  // prediction starts once the page has measured its round trip to the host
  await page.page.locator('[data-participant].self [data-testid="host-rtt"]').waitFor({ timeout: SEE_MS });
  return [h, page];
}

const drawnSince = async (page: Page) => (await drawn(page)).filter((d) => d.shown.length > 0);

beforeAll(async () => {
  lab = await WanLink.start();
  signaling = await startSignalingProcess({ run: lab.in('box'), args: ['--host', lab.boxIp, '--no-state'] });
  browser = await launchBrowser({ executablePath: lab.chromium(), args: lab.chromiumArgs(new URL(signaling.url).origin) });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopAll();
  removeTempDirs();
});

describe('local echo over an 80 ms link, in Chromium, with bash (prompts marked by our shell integration)', () => {
  beforeAll(async () => {
    [host, far] = await hostAndPage('/bin/bash');
  }, 60_000);

  it("shows this person's round trip to the host in the participants list", async () => {
    const mine = far.page.locator('[data-participant].self [data-testid="host-rtt"]');
    await expect.poll(() => mine.getAttribute('data-ms').catch(() => null), { timeout: SEE_MS }).not.toBeNull();
    const ms = Number(await mine.getAttribute('data-ms'));
    expect(ms).toBeGreaterThan(50);
    expect(ms).toBeLessThan(400);
    expect(await mine.innerText()).toBe(`⇄ host ${ms} ms`);
  });

  it('shows keys at the prompt at once, underlined, until the host echoes them', async () => {
    await freshPrompt(far.page);
    const before = await count(far.page, 'confirmed');
    await typeKeys(far.page, 'echo predicted');
    // the host confirms all 14 keys, and the predictions are gone
    await expect.poll(() => count(far.page, 'confirmed'), { timeout: SEE_MS }).toBeGreaterThanOrEqual(before + 14);
    await expect.poll(() => layer(far.page).getAttribute('data-shown'), { timeout: SEE_MS }).toBe('');
    const seen = await drawn(far.page);
    // drawn before the host's echo reached the screen, and underlined while unconfirmed
    const drawnKeys = seen.filter((d) => d.shown.length > 0);
    expect(drawnKeys.length).toBeGreaterThan(0);
    expect(drawnKeys[0].screen).not.toMatch(/[#$] e/);
    expect(drawnKeys.every((d) => d.underlined)).toBe(true);
    // what was drawn is what was typed (the keys not yet echoed)
    for (const d of drawnKeys) expect('echo predicted').toContain(d.shown);
    expect(await count(far.page, 'wrong')).toBe(0);
    await typeKeys(far.page, '\n');
    await waitForScreen(far.page, /^predicted\s*$/m, undefined, SEE_MS);
  });

  it('predicts nothing at a read -s password prompt', async () => {
    await freshPrompt(far.page);
    await typeKeys(far.page, "read -s -p 'Secret: ' s; echo \"got ${#s}\"\n");
    await waitForScreen(far.page, /Secret: $/m, undefined, SEE_MS);
    await drawn(far.page);
    await typeKeys(far.page, 'hunter2');
    expect(await layer(far.page).getAttribute('data-shown')).toBe('');
    await typeKeys(far.page, '\n');
    await waitForScreen(far.page, /got 7/, undefined, SEE_MS);
    expect((await drawn(far.page)).filter((d) => d.shown.length > 0)).toEqual([]);
    expect(await screenText(far.page)).not.toContain('hunter2');
  });

  it('predicts nothing in full-screen programs (vi, less)', async () => {
    await freshPrompt(far.page);
    await typeKeys(far.page, 'vi -u NONE\n');
    await waitForScreen(far.page, /^~/m, undefined, SEE_MS);
    await drawn(far.page);
    await typeKeys(far.page, 'ityped in vi');
    await waitForScreen(far.page, 'typed in vi', undefined, SEE_MS);
    expect((await drawn(far.page)).filter((d) => d.shown.length > 0)).toEqual([]);
    await far.page.keyboard.press('Escape');
    await typeKeys(far.page, ':q!\n');
    await waitForScreen(far.page, PROMPT, undefined, SEE_MS);
    await typeKeys(far.page, 'seq 200 | less\n');
    await waitForScreen(far.page, /^:$/m, undefined, SEE_MS);
    await drawn(far.page);
    await typeKeys(far.page, '/150');
    await waitForScreen(far.page, /^\/150/m, undefined, SEE_MS);
    expect((await drawn(far.page)).filter((d) => d.shown.length > 0)).toEqual([]);
    await typeKeys(far.page, '\nq');
    await waitForScreen(far.page, PROMPT, undefined, SEE_MS);
  });

  it('predicts nothing for a viewer (whose keys go nowhere)', async () => {
    const viewer = await joinAs(browser, host.links.viewer, 'Vera');
    await viewer.page.evaluate(watchPredictions);
    await viewer.page.locator('[data-testid="terminal"]').first().click();
    await typeKeys(viewer.page, 'abc');
    await expect.poll(() => viewer.page.getByTestId('terminal-toast').innerText().catch(() => ''), { timeout: SEE_MS }).toMatch(/viewer/);
    expect(await drawnSince(viewer.page)).toEqual([]);
    // everyone sees each person's round trip: the viewer sees the editor's, as the editor told it
    const editorsRtt = viewer.page.locator('[data-participant][data-role="editor"] [data-testid="host-rtt"]');
    await expect.poll(() => editorsRtt.getAttribute('data-ms').catch(() => null), { timeout: SEE_MS }).not.toBeNull();
    expect(Number(await editorsRtt.getAttribute('data-ms'))).toBeGreaterThan(50);
    await viewer.close();
  });
});

describe('in a shell that marks no prompts (sh): mosh-style epochs', () => {
  let sh: OpenedPage;
  beforeAll(async () => {
    [, sh] = await hostAndPage('/bin/sh');
  }, 60_000);

  it("hides a new epoch's first key until the host echoes it, then shows the next keys at once", async () => {
    await waitForScreen(sh.page, PROMPT, undefined, SEE_MS);
    await typeKeys(sh.page, 'e');
    await expect.poll(() => count(sh.page, 'confirmed'), { timeout: SEE_MS }).toBe(1);
    await typeKeys(sh.page, 'cho plain');
    await expect.poll(() => count(sh.page, 'confirmed'), { timeout: SEE_MS }).toBe(10);
    await expect.poll(() => layer(sh.page).getAttribute('data-shown'), { timeout: SEE_MS }).toBe('');
    const shown = await drawnSince(sh.page);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown[0].shown).toBe('c');
    for (const d of shown) expect('cho plain').toContain(d.shown);
    await typeKeys(sh.page, '\n');
    await waitForScreen(sh.page, /^plain\s*$/m, undefined, SEE_MS);
  });

  it('shows nothing with echo off (stty -echo: a password prompt bash does not mark)', async () => {
    await waitForScreen(sh.page, PROMPT, undefined, SEE_MS);
    await typeKeys(sh.page, `stty -echo; printf 'Secret: '; read s; stty echo; echo "got \${#s}"\n`);
    // printed after stty turned echo off: the shell waits in `read`
    await waitForScreen(sh.page, /Secret: $/m, undefined, SEE_MS);
    await drawn(sh.page);
    await typeKeys(sh.page, 'hunter2');
    await typeKeys(sh.page, '\n');
    await waitForScreen(sh.page, /got 7/, undefined, SEE_MS);
    expect(await drawnSince(sh.page)).toEqual([]);
    expect(await screenText(sh.page)).not.toContain('hunter2');
  });

  it('shows nothing on the alternate screen (vi)', async () => {
    await waitForScreen(sh.page, PROMPT, undefined, SEE_MS);
    await typeKeys(sh.page, 'vi -u NONE\n');
    await waitForScreen(sh.page, /^~/m, undefined, SEE_MS);
    await drawn(sh.page);
    await typeKeys(sh.page, 'ityped in vi');
    await waitForScreen(sh.page, 'typed in vi', undefined, SEE_MS);
    expect(await drawnSince(sh.page)).toEqual([]);
    await sh.page.keyboard.press('Escape');
    await typeKeys(sh.page, ':q!\n');
    await waitForScreen(sh.page, PROMPT, undefined, SEE_MS);
  });
});
