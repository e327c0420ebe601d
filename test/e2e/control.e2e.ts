/**
 * The owner's live control in real Chromium pages over the real mesh: from the participants list
 * the owner makes a viewer an editor (its keystrokes then run), makes it a viewer again, and
 * removes it (and the link it came through) — the removed page says so, takes no input, and a
 * reload does not bring it back. Invite links from the Share menu: a one-use editor link.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedPage } from '../helpers/browser.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { SEE_TIMEOUT_MS, joinAs, openAs, sessionState, typeInto, waitForFile, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;
let owner: OpenedPage;
let vic: OpenedPage;

beforeAll(async () => {
  session = await startE2eSession();
  owner = await joinAs(session.browser, session.host.links.owner, 'Olivia');
  vic = await joinAs(session.browser, session.host.links.viewer, 'Vic');
  owner.page.on('dialog', (d) => void d.accept());
});
afterAll(async () => {
  await session?.dispose();
});

const entry = (p: OpenedPage, name: string) => p.page.getByTestId('participants').locator('li', { hasText: name });
async function menu(name: string, action: string): Promise<void> {
  const e = entry(owner, name);
  await e.getByTestId('participant-menu').locator('summary').click();
  await e.getByRole('menuitem', { name: action }).click();
}

describe("the owner's participant menu", () => {
  it('makes a viewer an editor and back, and removes it for good', async () => {
    await expect.poll(() => entry(owner, 'Vic').getAttribute('data-role'), { timeout: SEE_TIMEOUT_MS }).toBe('viewer');
    // the host is not managed from the list
    // (by role: every entry names the host in its round trip, "⇄ host N ms")
    const host = owner.page.getByTestId('participants').locator('li[data-role="host"]');
    expect(await host.count()).toBe(1);
    expect(await host.getByTestId('participant-menu').count()).toBe(0);

    await menu('Vic', 'Make editor');
    await expect.poll(() => entry(vic, 'Vic').getAttribute('data-role'), { timeout: SEE_TIMEOUT_MS }).toBe('editor');
    await typeInto(vic.page, 'touch by-promoted-vic\n');
    await waitForFile(path.join(session.cwd, 'by-promoted-vic'));

    await menu('Vic', 'Make viewer');
    await expect.poll(() => entry(vic, 'Vic').getAttribute('data-role'), { timeout: SEE_TIMEOUT_MS }).toBe('viewer');

    await menu('Vic', 'Remove');
    await expect.poll(() => vic.page.getByTestId('removed').isVisible(), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    expect(await vic.page.getByTestId('removed').innerText()).toMatch(/removed/);
    expect(await vic.page.locator('[data-testid="terminal"]').count()).toBe(0);
    await expect.poll(() => entry(owner, 'Vic').count(), { timeout: SEE_TIMEOUT_MS }).toBe(0);
    // a reload of the same link does not bring this browser back
    await vic.page.reload();
    await expect.poll(() => vic.page.getByTestId('removed').isVisible(), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    await typeInto(owner.page, 'echo still-$((6*7))\n');
    await waitForScreen(owner.page, 'still-42');
    expect(fs.existsSync(path.join(session.cwd, 'by-removed'))).toBe(false);
    // the owner also revoked the link Vic came through (the second confirm): nobody joins with it
    const again = await openAs(session.browser, session.host.links.viewer, 'Vic2');
    await expect.poll(() => again.page.getByTestId('error').isVisible(), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    expect(await again.page.getByTestId('error').innerText()).toMatch(/revoked/);
  });

  it('the owner makes a one-use link from the Share menu; editors can pass on the viewer link', async () => {
    await owner.page.getByTestId('share').click();
    const panel = owner.page.getByTestId('invites');
    await panel.locator('select').first().selectOption('editor');
    await panel.locator('input[type="number"]').fill('1');
    await panel.getByTestId('create-invite').click();
    const input = panel.locator('li input[type="text"]').first();
    await expect.poll(() => input.count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    const link = await input.inputValue();
    const first = await joinAs(session.browser, link, 'Once');
    expect((await sessionState(first.page))?.self.role).toBe('editor');
    // the editor sees the viewer link to pass on, and no other
    await first.page.getByTestId('share').click();
    expect(await first.page.getByTestId('copy-viewer').count()).toBe(1);
    expect(await first.page.getByTestId('copy-editor').count()).toBe(0);
    const second = await openAs(session.browser, link, 'Twice');
    await expect.poll(() => second.page.getByTestId('error').isVisible(), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    expect(await second.page.getByTestId('error').innerText()).toMatch(/used as many times/);
  });
});
