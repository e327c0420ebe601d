/**
 * The signaling server dies mid-session: people already in keep working peer to peer (the mesh
 * does not need it), their pages say signaling is unreachable, and a newcomer gets a clear
 * failure instead of a page that spins forever.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { OpenedPage } from '../helpers/browser.ts';
import { startSignalingProcess, waitForHostEvent, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { serveAppFromBuild } from '../helpers/cached-app.ts';
import { JOIN_TIMEOUT_MS, SEE_TIMEOUT_MS, joinAs, sessionState, typeInto, waitForFile, waitForScreen, withQuery } from '../helpers/session-page.ts';

let session: E2eSession;
let browser: Browser;
let signaling: SignalingProcess;
let host: HostProcess;
let cwd: string;
let owner: OpenedPage;
let editor: OpenedPage;

beforeAll(async () => {
  session = await startE2eSession();
  ({ browser, signaling, host, cwd } = session);
  owner = await joinAs(browser, host.links.owner, 'Olivia');
  editor = await joinAs(browser, host.links.editor, 'Eddie');
});

afterAll(async () => {
  await session?.dispose();
});

/** SIGKILL: no goodbye to anyone, as when the machine or the process crashes. */
async function killSignaling(): Promise<void> {
  if (!signaling.process.exitInfo) signaling.process.child.kill('SIGKILL');
  const exit = await signaling.process.exited;
  expect(exit.signal).toBe('SIGKILL');
}

describe('signaling server down', () => {
  it('keeps the session running peer to peer and says signaling is unreachable', async () => {
    await killSignaling();
    for (const person of [owner, editor]) {
      await person.page.waitForFunction(() => (window as unknown as { __liveSessions: { signaling: string } }).__liveSessions.signaling === 'offline', undefined, {
        timeout: SEE_TIMEOUT_MS
      });
      const banner = person.page.getByTestId('signaling-offline');
      await banner.waitFor({ timeout: SEE_TIMEOUT_MS });
      expect(await banner.innerText()).toMatch(/unreachable/i);
      expect((await person.page.getByTestId('signaling').innerText()).trim()).toBe('Signaling: offline');
    }
    await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'offline', SEE_TIMEOUT_MS);

    await typeInto(editor.page, 'touch after-signaling-died\n');
    await waitForFile(path.join(cwd, 'after-signaling-died'));
    await typeInto(editor.page, 'echo still-alive-$((40+2))\n');
    for (const person of [owner, editor]) {
      await waitForScreen(person.page, /^still-alive-42/m);
      const s = await sessionState(person.page);
      expect(s?.status).toBe('joined');
      expect(s?.hostConnected).toBe(true);
    }
    expect(host.process.exitInfo).toBeNull();
    // Only the browser's own reports of the failed reconnection attempts, no exception.
    for (const person of [owner, editor]) {
      for (const e of person.errors) expect(e).toMatch(/^WebSocket connection to '\S+\/signal' failed/);
    }
  });

  it('tells a newcomer that the signaling server cannot be reached', async () => {
    await killSignaling();
    // The newcomer's browser has the app (cache or CDN); only the server itself is gone.
    const context: BrowserContext = await browser.newContext();
    try {
      await serveAppFromBuild(context, new URL(signaling.url).origin);
      const page = await context.newPage();
      await page.goto(withQuery(host.links.viewer, { name: 'Nora' }));
      const error = page.getByTestId('error');
      await error.waitFor({ timeout: JOIN_TIMEOUT_MS });
      expect(await error.innerText()).toMatch(/cannot reach the signaling server/i);
      expect(await page.getByRole('heading', { name: 'Could not join this session' }).count()).toBe(1);
      expect((await sessionState(page))?.status).toBe('failed');
    } finally {
      await context.close();
    }
  });

  it('reconnects everyone when signaling is back, and lets new people join with the same links', async () => {
    await killSignaling();
    const restartedAt = host.process.stdout.length;
    // restarted on its address with its state directory: same keys, same sessions
    const port = Number(new URL(signaling.url).port);
    signaling = await startSignalingProcess({ port, stateDir: signaling.stateDir });
    for (const person of [owner, editor]) {
      await person.page.waitForFunction(() => (window as unknown as { __liveSessions: { signaling: string } }).__liveSessions.signaling === 'online', undefined, {
        timeout: JOIN_TIMEOUT_MS
      });
      await person.page.getByTestId('signaling-offline').waitFor({ state: 'detached', timeout: SEE_TIMEOUT_MS });
    }
    await waitForHostEvent(host, (e) => e.event === 'signaling' && e.status === 'online', SEE_TIMEOUT_MS, restartedAt);
    const late = await joinAs(browser, host.links.viewer, 'Latecomer');
    try {
      await typeInto(editor.page, 'echo back-again-$((40+2))\n');
      await waitForScreen(late.page, /^back-again-42/m);
      expect((await sessionState(late.page))?.hostConnected).toBe(true);
    } finally {
      await late.close();
    }
  });
});
