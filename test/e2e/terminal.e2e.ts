/**
 * The shared terminal end to end: real signaling and host processes, a real bash in a PTY, real
 * Chromium pages on a real WebRTC mesh. Editors' keystrokes reach the shell; viewers' never do,
 * not even when a viewer bypasses its page; a late joiner gets the screen so far, then live output.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { OpenedPage } from '../helpers/browser.ts';
import type { HostProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { terminalProtocol } from '../../src/lib/protocol/terminal.ts';
import { joinAs, screenText, sendRaw, sessionState, waitForChannels, typeInto, waitForFile, waitForScreen } from '../helpers/session-page.ts';

let session: E2eSession;
let browser: Browser;
let host: HostProcess;
let cwd: string;
let owner: OpenedPage;
let editor: OpenedPage;
/** everyone who joined, for the console check at the end */
const people: OpenedPage[] = [];

beforeAll(async () => {
  session = await startE2eSession();
  ({ browser, host, cwd } = session);
  owner = await joinAs(browser, host.links.owner, 'Olivia');
  editor = await joinAs(browser, host.links.editor, 'Eddie');
  people.push(owner, editor);
});

afterAll(async () => {
  await session?.dispose();
});

/** The editor runs `echo marker-$((N+0))`: the output line `marker-N` is not in the command line. */
async function editorMarker(n: number): Promise<string> {
  await typeInto(editor.page, `echo marker-$((${n}+0))\n`);
  return `marker-${n}`;
}

async function firstTerminalId(person: OpenedPage): Promise<number> {
  const s = await sessionState(person.page);
  const id = s?.terminals[0]?.id;
  if (id === undefined) throw new Error(`the page knows no terminal: ${JSON.stringify(s)}`);
  return id;
}

describe('shared terminal', () => {
  it("runs an editor's command in the host's shell, and the owner sees it", async () => {
    await typeInto(editor.page, 'touch made-by-editor\n');
    await waitForFile(path.join(cwd, 'made-by-editor'));
    await waitForScreen(owner.page, 'touch made-by-editor');
    expect((await owner.page.getByTestId('role').innerText()).trim()).toBe('owner');
    expect((await editor.page.getByTestId('role').innerText()).trim()).toBe('editor');
  });

  it("never runs what a viewer types, while the viewer sees the editor's output", async () => {
    const viewer = await joinAs(browser, host.links.viewer, 'Vic');
    people.push(viewer);
    await typeInto(viewer.page, 'touch made-by-viewer\n');
    const marker = await editorMarker(123);
    // The marker went through the shell after the viewer's keystrokes would have.
    await waitForScreen(viewer.page, new RegExp(`^${marker}`, 'm'));
    expect(fs.existsSync(path.join(cwd, 'made-by-viewer'))).toBe(false);
    expect(await screenText(viewer.page)).not.toContain('made-by-viewer');
    expect((await viewer.page.getByTestId('role').innerText()).trim()).toBe('viewer');
    expect(await viewer.page.getByTestId('new-terminal').count()).toBe(0);
  });

  it('refuses terminal input and terminal changes a viewer sends past its own page', async () => {
    const viewer = await joinAs(browser, host.links.viewer, 'Mallory');
    people.push(viewer);
    const id = await firstTerminalId(viewer);
    const input = terminalProtocol.write({ type: 'input', id, data: new TextEncoder().encode('touch made-by-raw-viewer\r') });
    // replayed, to every peer it is connected to (the host, the owner and the editor)
    await waitForChannels(viewer.page, 3);
    expect(await sendRaw(viewer.page, input)).toBeGreaterThanOrEqual(3);
    expect(await sendRaw(viewer.page, input)).toBeGreaterThanOrEqual(3);
    await sendRaw(viewer.page, terminalProtocol.write({ type: 'open', cols: 80, rows: 24 }));
    const marker = await editorMarker(456);
    await waitForScreen(viewer.page, new RegExp(`^${marker}`, 'm'));
    expect(fs.existsSync(path.join(cwd, 'made-by-raw-viewer'))).toBe(false);
    expect((await sessionState(viewer.page))?.terminals).toHaveLength((await sessionState(editor.page))!.terminals.length);
    // The host tells the viewer why nothing happened.
    await expect.poll(async () => (await sessionState(viewer.page))?.error, { timeout: 5_000 }).toMatch(/viewer/);
  });

  it('shows a late joiner the screen so far, then live output', async () => {
    await typeInto(editor.page, 'echo early-output-XYZ\n');
    await waitForScreen(owner.page, /^early-output-XYZ/m);
    const late = await joinAs(browser, host.links.editor, 'Lena');
    people.push(late);
    await waitForScreen(late.page, /^early-output-XYZ/m);
    await typeInto(editor.page, 'echo late-$((6*7))\n');
    await waitForScreen(late.page, /^late-42/m);
    await waitForScreen(editor.page, /^late-42/m);
  });

  it('logs no error and throws nothing on any page', () => {
    expect(people.length).toBeGreaterThanOrEqual(2);
    for (const person of people) expect(person.errors).toEqual([]);
  });
});
