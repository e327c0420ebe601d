/**
 * The owner's live control in real Chromium pages over the real mesh: from the participants list
 * the owner makes a viewer an editor (its keystrokes then run), makes it a viewer again, and
 * removes it — the removed page says so, takes no input, and a reload does not bring it back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedPage } from '../helpers/browser.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { SEE_TIMEOUT_MS, joinAs, typeInto, waitForFile, waitForScreen } from '../helpers/session-page.ts';

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
    expect(await entry(owner, 'host').getByTestId('participant-menu').count()).toBe(0);

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
  });
});
