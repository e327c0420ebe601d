/**
 * A terminal without shell integration, in Chromium: a host whose shell is `/bin/sh` (which we do
 * not hook) has its terminal flagged in the commands panel, for a page that joins later too; a
 * bash host's terminal, whose commands are known, is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { startHostProcess } from '../helpers/processes.ts';
import { joinAs, SEE_TIMEOUT_MS, typeInto, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;

beforeAll(async () => {
  session = await startE2eSession();
});
afterAll(async () => {
  await session?.dispose();
});

describe('commands panel', () => {
  it('says when a terminal has no shell integration, and not when it has', async () => {
    const { browser, host, signaling, cwd } = session;
    const sh = await startHostProcess(signaling.url, { cwd, shell: '/bin/sh' });
    const ada = await joinAs(browser, sh.links.editor, 'Ada');
    const note = ada.page.getByTestId('commands').getByTestId('commands-blind');
    await expect.poll(() => note.allInnerTexts(), { timeout: SEE_TIMEOUT_MS }).toEqual([expect.stringMatching(/^Commands unknown in this terminal \(.+\): no shell integration/)]);
    // commands typed there stay unknown, and the note stays
    await typeInto(ada.page, 'echo plain-$((40+2))\n');
    await waitForScreen(ada.page, /^plain-42/m);
    expect(await ada.page.getByTestId('command').count()).toBe(0);
    const late = await joinAs(browser, sh.links.viewer, 'Lee');
    await expect.poll(() => late.page.getByTestId('commands-blind').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);

    const bob = await joinAs(browser, host.links.editor, 'Bob');
    await typeInto(bob.page, 'echo known-$((40+3))\n');
    await expect.poll(() => bob.page.getByTestId('command').allInnerTexts(), { timeout: SEE_TIMEOUT_MS }).toEqual([expect.stringContaining('echo known-$((40+3))')]);
    expect(await bob.page.getByTestId('commands-blind').count()).toBe(0);
    for (const p of [ada, late, bob]) expect(p.errors).toEqual([]);
    await sh.stop();
  });
});
