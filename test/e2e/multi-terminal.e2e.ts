/**
 * Several terminals in one session: an owner opens a second one, everyone gets its tab, it runs a
 * shell of its own; a shell's exit status shows on every page and Restart brings a shell back.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { OpenedPage } from '../helpers/browser.ts';
import type { HostProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { SEE_TIMEOUT_MS, joinAs, screenText, sessionState, typeInto, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;
let browser: Browser;
let host: HostProcess;
let owner: OpenedPage;
let editor: OpenedPage;
let viewer: OpenedPage;
/** the terminal the session started with, and the one the owner opens */
let first: number;
let second: number;

beforeAll(async () => {
  session = await startE2eSession();
  ({ browser, host } = session);
  owner = await joinAs(browser, host.links.owner, 'Olivia');
  editor = await joinAs(browser, host.links.editor, 'Eddie');
  viewer = await joinAs(browser, host.links.viewer, 'Vic');
});

afterAll(async () => {
  await session?.dispose();
});

async function terminalIds(page: Page): Promise<number[]> {
  return (await sessionState(page))?.terminals.map((t) => t.id) ?? [];
}

/** Runs `echo shell-TAG-$$` in a terminal and returns the shell's pid from the output line. */
async function shellPid(page: Page, termId: number, tag: string): Promise<number> {
  await typeInto(page, `echo shell-${tag}-$$\n`, termId);
  const line = new RegExp(`^shell-${tag}-(\\d+)`, 'm');
  const screen = await waitForScreen(page, line, termId);
  return Number(screen.match(line)?.[1]);
}

/** The exit banner of a terminal's pane (present in the DOM even while its tab is hidden). */
function exitBanner(page: Page, termId: number) {
  return page.locator(`[data-testid="terminal"][data-terminal-id="${termId}"] .exit`);
}

describe('several terminals', () => {
  it('opens a second terminal for everyone, with a shell of its own', async () => {
    [first] = await terminalIds(owner.page);
    expect(await viewer.page.getByTestId('new-terminal').count()).toBe(0);
    await owner.page.getByTestId('new-terminal').click();
    for (const person of [owner, editor, viewer]) {
      await expect.poll(() => terminalIds(person.page), { timeout: SEE_TIMEOUT_MS }).toHaveLength(2);
      expect(await person.page.getByRole('tab').count()).toBe(2);
    }
    second = (await terminalIds(owner.page)).find((id) => id !== first) as number;

    // The owner asked for the new terminal, so its page switched to it; the editor's did not.
    const pidSecond = await shellPid(owner.page, second, 'a');
    const pidFirst = await shellPid(editor.page, first, 'b');
    expect(pidSecond).toBeGreaterThan(0);
    expect(pidFirst).toBeGreaterThan(0);
    expect(pidSecond).not.toBe(pidFirst);
    // The editor switches to the second tab and sees what the owner ran there.
    await editor.page.getByRole('tab').nth(1).click();
    await waitForScreen(editor.page, `shell-a-${pidSecond}`, second);
    expect(await screenText(editor.page, second)).not.toContain(`shell-b-${pidFirst}`);
  });

  it("shows a shell's exit status on every page, and Restart brings a shell back", async () => {
    if (second === undefined) throw new Error('the previous test did not open a second terminal');
    await typeInto(owner.page, 'exit 3\n', second);
    for (const person of [owner, editor, viewer]) {
      await expect
        .poll(async () => (await sessionState(person.page))?.terminals.find((t) => t.id === second)?.exit?.code, { timeout: SEE_TIMEOUT_MS })
        .toBe(3);
      await expect.poll(() => exitBanner(person.page, second).textContent(), { timeout: SEE_TIMEOUT_MS }).toMatch(/exited with code 3/);
    }
    expect(await exitBanner(viewer.page, second).getByRole('button', { name: 'Restart' }).count()).toBe(0);
    // The first terminal's shell is untouched.
    expect((await sessionState(owner.page))?.terminals.find((t) => t.id === first)?.exit).toBeNull();

    await exitBanner(owner.page, second).getByRole('button', { name: 'Restart' }).click();
    for (const person of [owner, editor]) {
      await exitBanner(person.page, second).waitFor({ state: 'detached', timeout: SEE_TIMEOUT_MS });
      // A prompt after the restart separator: the new shell is waiting for input.
      await waitForScreen(person.page, /--- restarted ---[\s\S]*[$#] *\s*$/, second);
    }
    const pid = await shellPid(owner.page, second, 'c');
    await waitForScreen(editor.page, `shell-c-${pid}`, second);
    expect(await terminalIds(viewer.page)).toEqual([first, second]);
  });

  it('logs no error and throws nothing on any page', () => {
    for (const person of [owner, editor, viewer]) expect(person.errors).toEqual([]);
  });
});
