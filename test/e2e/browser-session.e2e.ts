/**
 * A session started from the browser: "New session" on `/` creates a session without a host, the
 * creator is its owner, and the people it shares the editor link with write the same notes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../helpers/browser.ts';
import { shellTestEnv, spawnCli, START_TIMEOUT_MS, startSignalingProcess, stopAll, type SignalingProcess } from '../helpers/processes.ts';
import { openAs, SEE_TIMEOUT_MS, JOIN_TIMEOUT_MS, typeInto, waitForScreen } from '../helpers/session-page.ts';
import { makeTempDir } from '../helpers/tmp.ts';

let signaling: SignalingProcess;
let browser: Browser;

beforeAll(async () => {
  signaling = await startSignalingProcess();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

type PageState = { status: string; self: { role: string }; links: { editor?: string } };
const state = (p: import('playwright-core').Page) =>
  p.evaluate((): PageState | null => {
    const s = (window as unknown as { __liveSessions?: PageState }).__liveSessions;
    return s ? { status: s.status, self: { role: s.self.role }, links: { editor: s.links.editor } } : null;
  });

describe('browser-only session', () => {
  it('"New session" makes the creator owner; an editor it shares the link with writes the same notes', async () => {
    const owner = await openPage(browser, `${signaling.url}/`);
    await owner.page.getByRole('button', { name: 'New session' }).click();
    await owner.page.waitForURL(/\/s\/[^/]+#invite=/, { timeout: JOIN_TIMEOUT_MS });
    await expect.poll(async () => (await state(owner.page))?.status, { timeout: JOIN_TIMEOUT_MS }).toBe('joined');
    const s = (await state(owner.page))!;
    expect(s.self.role).toBe('owner');
    expect(s.links.editor).toMatch(/#invite=.+&key=/);

    await owner.page.getByRole('button', { name: 'Open the session notes' }).click();
    await owner.page.locator('[data-testid="notes"] .monaco-editor .view-lines').click();
    await owner.page.keyboard.type('plan: check disk');
    const editor = await openAs(browser, s.links.editor!, 'Eddie');
    await expect.poll(async () => (await state(editor.page))?.status, { timeout: JOIN_TIMEOUT_MS }).toBe('joined');
    await editor.page.getByRole('button', { name: 'Open the session notes' }).click();
    await expect.poll(() => editor.page.locator('[data-testid="notes"] .view-lines').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/plan:\scheck\sdisk/);
    await editor.page.locator('[data-testid="notes"] .monaco-editor .view-lines').click();
    await editor.page.keyboard.press('Control+End');
    await editor.page.keyboard.type(', then logs');
    await expect.poll(() => owner.page.locator('[data-testid="notes"] .view-lines').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/then\slogs/);
    expect(owner.errors).toEqual([]);
    expect(editor.errors).toEqual([]);
  });
});

describe('in-memory files', () => {
  it('an owner creates one, an editor opens and edits it, a viewer reads it and cannot create any', async () => {
    const owner = await openPage(browser, `${signaling.url}/`);
    await owner.page.getByRole('button', { name: 'New session' }).click();
    await owner.page.waitForURL(/\/s\/[^/]+#invite=/, { timeout: JOIN_TIMEOUT_MS });
    await expect.poll(async () => (await state(owner.page))?.status, { timeout: JOIN_TIMEOUT_MS }).toBe('joined');
    const links = await owner.page.evaluate(() => (window as unknown as { __liveSessions: { links: Record<string, string> } }).__liveSessions.links);
    owner.page.once('dialog', (d) => void d.accept('plan.md'));
    await owner.page.getByRole('button', { name: 'New in-memory file' }).click();
    await owner.page.locator('[data-testid="editor"] .monaco-editor .view-lines').click();
    await owner.page.keyboard.type('1. check disk');

    const editor = await openAs(browser, links.editor, 'Eddie');
    await editor.page.getByTestId('memory-files').getByRole('button', { name: 'plan.md' }).click();
    const lines = (p: typeof editor.page) => p.locator('[data-testid="editor"] .view-lines').innerText();
    await expect.poll(() => lines(editor.page), { timeout: SEE_TIMEOUT_MS }).toMatch(/1\.\scheck\sdisk/);
    await editor.page.locator('[data-testid="editor"] .monaco-editor .view-lines').click();
    await editor.page.keyboard.press('Control+End');
    await editor.page.keyboard.type(' 2. logs');
    await expect.poll(() => lines(owner.page), { timeout: SEE_TIMEOUT_MS }).toMatch(/2\.\slogs/);

    const viewer = await openAs(browser, links.viewer, 'Vic');
    await viewer.page.getByTestId('memory-files').getByRole('button', { name: 'plan.md' }).click();
    await expect.poll(() => lines(viewer.page), { timeout: SEE_TIMEOUT_MS }).toMatch(/2\.\slogs/);
    await expect(viewer.page.getByRole('button', { name: 'New in-memory file' }).count()).resolves.toBe(0);
    for (const p of [owner, editor, viewer]) expect(p.errors).toEqual([]);
  });
});

describe('a host attached later', () => {
  it("the owner's one-line command attaches a box: its terminal appears on every page without a reload", async () => {
    const owner = await openPage(browser, `${signaling.url}/`);
    await owner.page.getByRole('button', { name: 'New session' }).click();
    await owner.page.waitForURL(/\/s\/[^/]+#invite=/, { timeout: JOIN_TIMEOUT_MS });
    await expect.poll(async () => (await state(owner.page))?.status, { timeout: JOIN_TIMEOUT_MS }).toBe('joined');
    const editor = await openAs(browser, (await state(owner.page))!.links.editor!, 'Eddie');
    await expect.poll(async () => (await state(editor.page))?.status, { timeout: JOIN_TIMEOUT_MS }).toBe('joined');

    // the files panel says why it holds no files of a box
    await expect(owner.page.getByTestId('no-host-files').innerText({ timeout: SEE_TIMEOUT_MS })).resolves.toMatch(/No host attached: notes and in-memory files only/);
    // the terminal's text is read from its screen-reader mirror (openAs turns it on for the editor)
    await owner.page.getByTestId('a11y-toggle').check();
    await owner.page.getByRole('button', { name: 'Attach a host agent' }).click();
    const command = await owner.page.getByTestId('attach-command').innerText({ timeout: SEE_TIMEOUT_MS });
    const link = /^npx live-sessions host --attach '([^']+)'$/.exec(command.trim())?.[1];
    expect(link, command).toMatch(/\/s\/[^/]+#invite=.+&key=/);
    // the command as a user runs it (the page quoted the link for the shell)
    const host = spawnCli(['host', '--attach', link!, '--cwd', makeTempDir('live-sessions-attach-'), '--json'], { env: shellTestEnv() });
    await host.waitForLine(/"links":null/, START_TIMEOUT_MS, 'stdout');

    for (const p of [owner.page, editor.page]) await p.getByTestId('terminal').first().waitFor({ timeout: SEE_TIMEOUT_MS });
    // the box's folder is empty: the tree says so (and how to fill it, to an editor)
    await expect(editor.page.getByTestId('no-files').innerText({ timeout: SEE_TIMEOUT_MS })).resolves.toBe('No files here yet: + creates one.');
    await typeInto(editor.page, 'echo attached-$((6*7))\n');
    for (const p of [owner.page, editor.page]) await waitForScreen(p, /attached-42/);
    expect(owner.errors).toEqual([]);
    expect(editor.errors).toEqual([]);
  });
});
