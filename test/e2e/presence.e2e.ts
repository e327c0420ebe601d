/**
 * Names and presence: a person renames themself and everyone else's list follows; the name is
 * remembered in that browser; leaving removes them from the others' lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedPage } from '../helpers/browser.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { SEE_TIMEOUT_MS, joinAs, typeInto } from '../helpers/session-page.ts';

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

/** the colours of the dots in a page's participant list */
const dotColors = (p: OpenedPage) => list(p).locator('.dot').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));

describe('presence', () => {
  it("shows who is typing in which terminal, in the list and on the tab; colours are distinct; joins and leaves are announced", async () => {
    await typeInto(editor.page, 'echo hi');
    await expect.poll(() => list(owner).innerText(), { timeout: SEE_TIMEOUT_MS }).toMatch(/Eddie[\s\S]*typing in bash/);
    await expect.poll(() => owner.page.getByTestId('tab-watcher').count(), { timeout: SEE_TIMEOUT_MS }).toBeGreaterThan(0);
    const colors = await dotColors(owner);
    expect(colors).toHaveLength(3);
    expect(new Set(colors).size).toBe(3);

    // an announcement lasts seconds: watch for it from before the join (the page may take longer to join)
    const announced = (text: string) =>
      owner.page.waitForFunction((t) => document.querySelector('[data-testid="arrivals"]')?.textContent?.includes(t), text, { timeout: SEE_TIMEOUT_MS * 2 });
    const joined = announced('Vera joined');
    const late = await joinAs(session.browser, session.host.links.viewer, 'Vera');
    await joined;
    await expect.poll(async () => new Set(await dotColors(owner)).size, { timeout: SEE_TIMEOUT_MS }).toBe(4);
    const left = announced('Vera left');
    await late.close();
    await left;
  });

  it('puts editor and terminals in tabs on request, and remembers it in this browser', async () => {
    await owner.page.getByTestId('toggle-tabbed').click();
    await owner.page.getByRole('button', { name: 'Open the session notes' }).click();
    const tabs = owner.page.getByTestId('workspace-tabs');
    await tabs.getByRole('tab', { name: 'Terminals' }).click();
    await expect.poll(() => owner.page.getByTestId('terminal').first().isVisible()).toBe(true);
    await tabs.getByRole('tab', { name: 'Editor' }).click();
    await expect.poll(() => owner.page.getByTestId('terminal').first().isVisible()).toBe(false);
    expect(await owner.page.evaluate(() => JSON.parse(localStorage.getItem('live-sessions:layout') ?? '{}').arrangement)).toBe('tabbed');
  });

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
