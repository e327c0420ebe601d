/**
 * The end is final, in Chromium: when the host stops, a page in the session says the session
 * ended and leaves the mesh (no reconnects); the session's link, opened afterwards, says
 * "This session has ended" with when and by whom.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedPage } from '../helpers/browser.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { SEE_TIMEOUT_MS, joinAs, openAs, sessionState } from '../helpers/session-page.ts';

let session: E2eSession;
let ed: OpenedPage;

beforeAll(async () => {
  session = await startE2eSession();
  ed = await joinAs(session.browser, session.host.links.editor, 'Eddie');
});
afterAll(async () => {
  await session?.dispose();
});

describe('the end of a session', () => {
  it('a page in it says so and stops reconnecting; its link then says "This session has ended"', async () => {
    await session.host.stop();
    await expect.poll(() => ed.page.getByTestId('ended').isVisible(), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    expect(await ed.page.getByTestId('ended').innerText()).toMatch(/This session has ended/);
    await expect.poll(async () => (await sessionState(ed.page))?.signaling, { timeout: SEE_TIMEOUT_MS }).toBe('offline');
    const late = await openAs(session.browser, session.host.links.viewer, 'Late');
    await expect.poll(() => late.page.getByTestId('ended').isVisible(), { timeout: SEE_TIMEOUT_MS }).toBe(true);
    expect(await late.page.getByTestId('ended').innerText()).toMatch(/This session has ended \(.* UTC, by .+\)/);
    expect(await late.page.locator('[data-testid="terminal"]').count()).toBe(0);
  });
});
