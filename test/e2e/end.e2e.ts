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

describe('the page', () => {
  it('runs only its own scripts: a CSP with script-src (hash of the one inline bootstrap)', async () => {
    const csp = await ed.page.evaluate(() => document.querySelector('meta[http-equiv="content-security-policy"]')?.getAttribute('content') ?? '');
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[^']+'/);
    // an injected inline script does not run
    const ran = await ed.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.body.appendChild(s);
      return (window as unknown as { __injected?: number }).__injected === 1;
    });
    expect(ran).toBe(false);
  });
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
