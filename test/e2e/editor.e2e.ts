/**
 * The shared editor in real Chromium: two editors type into one file at once and converge; Ctrl+S
 * writes the file on the box; a change made on disk meanwhile is detected, shown beside the shared
 * text and resolved without losing either; a viewer can change neither the buffer nor the file,
 * even with crafted messages that skip its page's checks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { writeEditor } from '../../src/lib/protocol/editor.ts';
import { writeFiles } from '../../src/lib/protocol/files.ts';
import type { OpenedPage } from '../helpers/browser.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { joinAs, sendRaw, SEE_TIMEOUT_MS } from '../helpers/session-page.ts';

let session: E2eSession;
let ada: OpenedPage;
let bob: OpenedPage;
let vic: OpenedPage;
const FILE = 'app.py';

beforeAll(async () => {
  session = await startE2eSession();
  writeFileSync(join(session.cwd, FILE), 'def main():\r\n    pass\r\n');
  writeFileSync(join(session.cwd, 'other.txt'), 'line\n'.repeat(200) + 'the end\n');
  [ada, bob, vic] = await Promise.all([
    joinAs(session.browser, session.host.links.editor, 'Ada'),
    joinAs(session.browser, session.host.links.owner, 'Bob'),
    joinAs(session.browser, session.host.links.viewer, 'Vic')
  ]);
});
afterAll(async () => {
  await session?.dispose();
});

/** the shared text of FILE as this page's document holds it */
const shared = (page: Page) =>
  page.evaluate((f) => (window as unknown as { __liveSessions: { editor: { files: Map<string, { toString(): string }> } | null } }).__liveSessions.editor?.files.get(f)?.toString() ?? null, FILE);
const onDisk = () => readFileSync(join(session.cwd, FILE), 'utf8');

async function open(page: Page): Promise<void> {
  await page.getByTestId('file-tree').getByText(FILE, { exact: true }).click();
  await page.locator('[data-testid="editor"] .monaco-editor .view-lines').waitFor({ timeout: SEE_TIMEOUT_MS });
}

/** clicks into the editor and puts the cursor at the end of the text */
async function focusEnd(page: Page): Promise<void> {
  await page.locator('[data-testid="editor"] .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+End');
}

describe('shared editor', () => {
  it('converges when two people type into one file at once, and Ctrl+S writes it with its CRLF', async () => {
    await Promise.all([open(ada.page), open(bob.page)]);
    await expect.poll(() => shared(bob.page), { timeout: SEE_TIMEOUT_MS }).toBe('def main():\r\n    pass\r\n');
    // Ada at the top, Bob at the end, typing at the same time
    await Promise.all([focusEnd(ada.page), focusEnd(bob.page)]);
    await ada.page.keyboard.press('Control+Home');
    await Promise.all([ada.page.keyboard.type('# ada was here\n', { delay: 15 }), bob.page.keyboard.type('# bob too', { delay: 15 })]);
    await expect.poll(async () => (await shared(ada.page)) === (await shared(bob.page)), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    const text = (await shared(ada.page))!;
    // Enter in a CRLF file makes CRLF
    expect(text).toBe('# ada was here\r\ndef main():\r\n    pass\r\n# bob too');
    // what Bob's Monaco shows is what the document holds (Monaco renders spaces as no-break spaces)
    await expect.poll(() => bob.page.locator('[data-testid="editor"] .view-lines').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/bob\stoo/);

    await ada.page.keyboard.press('Control+S');
    await expect.poll(onDisk, { timeout: SEE_TIMEOUT_MS }).toBe(text);
    expect(onDisk()).toMatch(/^# ada was here\r\ndef main\(\):\r\n {4}pass\r\n/);
  });

  it('detects a change on disk, refuses the save, shows both versions, and keeps everything', async () => {
    const before = (await shared(ada.page))!;
    writeFileSync(join(session.cwd, FILE), before + 'print("from sed")\r\n');
    await ada.page.getByTestId('disk-changed').waitFor({ timeout: SEE_TIMEOUT_MS });
    await focusEnd(ada.page);
    await ada.page.keyboard.type('x = 1');
    await expect.poll(() => shared(ada.page), { timeout: SEE_TIMEOUT_MS }).toContain('x = 1');
    await ada.page.keyboard.press('Control+S');
    await ada.page.getByTestId('conflict').waitFor({ timeout: SEE_TIMEOUT_MS });
    await ada.page.getByTestId('conflict-diff').locator('.monaco-diff-editor').waitFor({ timeout: SEE_TIMEOUT_MS });
    // nothing overwritten, nothing lost
    expect(onDisk()).toContain('print("from sed")');
    expect(await shared(ada.page)).toContain('x = 1');
    // keep both: merge the disk's line into the shared text, then save it over the disk's
    await ada.page.evaluate(() => {
      const s = (window as unknown as { __liveSessions: { editor: { files: Map<string, { insert(i: number, t: string): void }> } } }).__liveSessions;
      s.editor.files.get('app.py')!.insert(0, 'print("from sed")\r\n');
    });
    await ada.page.getByRole('button', { name: 'Save shared version' }).click();
    await expect.poll(onDisk, { timeout: SEE_TIMEOUT_MS }).toContain('x = 1');
    expect(onDisk()).toContain('print("from sed")');
    await expect.poll(() => ada.page.getByTestId('conflict').count()).toBe(0);
  });

  it('follow mode: the follower sees the file the followed person opens', async () => {
    await bob.page.getByTestId('people-here').getByRole('button', { name: /^Ada/ }).first().click();
    await ada.page.getByTestId('file-tree').getByText('other.txt', { exact: true }).click();
    await expect.poll(() => bob.page.locator('[data-testid="editor"]').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    await expect.poll(() => bob.page.locator('.bar .path').first().innerText(), { timeout: SEE_TIMEOUT_MS }).toBe('other.txt');
    // Ada goes to the end of the file: it scrolls into view at Bob's
    await ada.page.locator('[data-testid="editor"] .monaco-editor .view-lines').waitFor({ timeout: SEE_TIMEOUT_MS });
    await focusEnd(ada.page);
    await expect.poll(() => bob.page.locator('[data-testid="editor"] .view-lines').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/the\send/);
    // back to the shared file for the others
    await bob.page.getByTestId('people-here').getByRole('button', { name: /^Ada/ }).first().click();
    await Promise.all([open(ada.page), open(bob.page)]);
  });

  it('shares the session notes', async () => {
    for (const p of [ada.page, bob.page]) {
      await p.getByTestId('file-tree').getByText(FILE, { exact: true }).click();
    }
    // a new page has no file open: the notes are one click away
    const carl = await joinAs(session.browser, session.host.links.editor, 'Carl');
    await carl.page.getByRole('button', { name: 'Open the session notes' }).click();
    await carl.page.locator('[data-testid="notes"] .monaco-editor .view-lines').click();
    await carl.page.keyboard.type('14:02 restarted nginx');
    const dave = await joinAs(session.browser, session.host.links.viewer, 'Dave');
    await dave.page.getByRole('button', { name: 'Open the session notes' }).click();
    await expect.poll(() => dave.page.locator('[data-testid="notes"] .view-lines').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/restarted\snginx/);
    await Promise.all([carl.close(), dave.close()]);
  });

  it("lets a viewer change neither the buffer nor the file, even with crafted messages", async () => {
    await open(vic.page);
    await expect.poll(() => shared(vic.page), { timeout: SEE_TIMEOUT_MS }).toBe(await shared(ada.page));
    const before = (await shared(ada.page))!;
    const disk = onDisk();
    expect(await vic.page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await focusEnd(vic.page);
    await vic.page.keyboard.type('viewer typing');
    await vic.page.keyboard.press('Control+S');
    // a client that skips its page: a forged document change (replacing the file's text) and a save
    const forged = new Y.Doc();
    forged.getMap('file').set('text', new Y.Text('pwned'));
    for (const type of ['file-update', 'file-sync2', 'file-big'] as const) expect(await sendRaw(vic.page, writeEditor({ type, path: FILE, data: Y.encodeStateAsUpdate(forged) }))).toBeGreaterThan(0);
    await sendRaw(vic.page, writeFiles({ type: 'save', req: 99, path: FILE, force: true }));
    // refused and struck: the viewer's page is told
    await expect.poll(() => vic.page.evaluate(() => (window as unknown as { __liveSessions: { error: string | null } }).__liveSessions.error), { timeout: SEE_TIMEOUT_MS }).toMatch(/viewer|may not send/);
    // a marker after the forgeries: once Bob's edit arrived everywhere, the forgeries were handled
    await bob.page.evaluate(() => {
      const s = (window as unknown as { __liveSessions: { editor: { files: Map<string, { insert(i: number, t: string): void }> } } }).__liveSessions;
      s.editor.files.get('app.py')!.insert(0, '#');
    });
    await expect.poll(() => shared(ada.page), { timeout: SEE_TIMEOUT_MS }).toBe('#' + before);
    expect(await shared(bob.page)).toBe('#' + before);
    expect(onDisk()).toBe(disk);
  });

  it('logs no error and throws nothing on any page', () => {
    for (const person of [ada, bob, vic]) expect(person.errors).toEqual([]);
  });

  it('Ctrl+P puts the focus in quick open; arrows move the choice; Escape and a click beside it close it', async () => {
    const dialog = vic.page.getByTestId('quick-open');
    const input = dialog.getByRole('textbox');
    const options = dialog.getByRole('option');
    const chosen = () => options.evaluateAll((os) => os.findIndex((o) => o.getAttribute('aria-selected') === 'true'));
    await vic.page.locator('body').press('Control+p');
    await expect.poll(() => input.evaluate((el) => el === document.activeElement), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    // one match first, then two: the list holds the answer to the last query (an answer resets the choice)
    await input.fill('othr');
    await expect.poll(() => options.allInnerTexts(), { timeout: SEE_TIMEOUT_MS }).toEqual(['other.txt']);
    await input.fill('.');
    await expect.poll(() => options.count(), { timeout: SEE_TIMEOUT_MS }).toBeGreaterThanOrEqual(2);
    expect(await chosen()).toBe(0);
    await input.press('ArrowDown');
    expect(await chosen()).toBe(1);
    await input.press('ArrowUp');
    await input.press('ArrowUp');
    expect(await chosen()).toBe(0);
    await input.press('Escape');
    await expect.poll(() => dialog.count(), { timeout: SEE_TIMEOUT_MS }).toBe(0);
    await vic.page.locator('body').press('Control+p');
    await input.waitFor({ timeout: SEE_TIMEOUT_MS });
    await vic.page.mouse.click(5, 5); // the backdrop, beside the palette
    await expect.poll(() => dialog.count(), { timeout: SEE_TIMEOUT_MS }).toBe(0);
    expect(vic.errors).toEqual([]);
  });

  it('Ctrl+P opens a file by part of its path; Ctrl+Shift+F finds text on the host, also for a viewer, and opens the hit', async () => {
    await vic.page.locator('body').press('Control+p');
    const dialog = vic.page.getByTestId('quick-open');
    await dialog.getByRole('textbox').fill('othr');
    await dialog.getByRole('option', { name: 'other.txt' }).waitFor({ timeout: SEE_TIMEOUT_MS });
    await dialog.getByRole('textbox').press('Enter');
    await expect.poll(() => vic.page.locator('[data-testid="editor"] .view-lines').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/line/);

    await vic.page.locator('body').press('Control+Shift+F');
    const panel = vic.page.getByTestId('search-files');
    await panel.getByRole('textbox').fill('the end');
    await panel.getByRole('textbox').press('Enter');
    // what matched is marked in the list…
    await expect(panel.locator('mark').first().innerText({ timeout: SEE_TIMEOUT_MS })).resolves.toBe('the end');
    await panel.getByRole('button', { name: /201\s*the end/ }).click({ timeout: SEE_TIMEOUT_MS });
    // the hit's line is shown: line 201 is in view
    await expect.poll(() => vic.page.locator('[data-testid="editor"] .view-lines').innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/the\send/);
    // …and in the file (Monaco decorations)
    await expect.poll(async () => (await vic.page.locator('[data-testid="editor"] .ls-search-hit').allInnerTexts()).join(''), { timeout: SEE_TIMEOUT_MS }).toMatch(/^the\send$/);
    expect(vic.errors).toEqual([]);
  });
});
