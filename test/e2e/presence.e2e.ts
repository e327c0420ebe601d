/**
 * Names and presence: a person renames themself and everyone else's list follows; the name is
 * remembered in that browser; leaving removes them from the others' lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedPage } from '../helpers/browser.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { SEE_TIMEOUT_MS, joinAs } from '../helpers/session-page.ts';

let session: E2eSession;
let owner: OpenedPage;
let editor: OpenedPage;

beforeAll(async () => {
  session = await startE2eSession();
  owner = await joinAs(session.browser, session.host.links.owner, 'Olivia');
  editor = await joinAs(session.browser, session.host.links.editor, 'Eddie');
});
afterAll(async () => {
  await session?.dispose();
});

const list = (p: OpenedPage) => p.page.getByTestId('participants');

describe('presence', () => {
  it('shows everyone with their role, follows a rename, and forgets who left', async () => {
    await expect.poll(() => list(owner).innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Eddie[\s\S]*editor/);
    expect(await list(owner).innerText()).toMatch(/Olivia[\s\S]*\(you\)[\s\S]*owner/);
    expect(await list(owner).innerText()).toMatch(/host/);

    await editor.page.getByTestId('name').click();
    const input = editor.page.getByTestId('name-input');
    await input.fill('Edwina');
    await input.press('Enter');
    await expect.poll(() => list(owner).innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Edwina/);
    expect(await list(owner).innerText()).not.toMatch(/Eddie/);
    // remembered in that browser: a reload without ?name= keeps it
    expect(await editor.page.evaluate(() => localStorage.getItem('live-sessions:name'))).toBe('Edwina');

    await editor.close();
    await expect.poll(() => list(owner).innerText(), { timeout: SEE_TIMEOUT_MS }).not.toMatch(/Edwina/);
  });
});
