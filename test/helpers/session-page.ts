// A person in a live session, driven through real Chromium: open a host's link with a name and
// screen-reader mode (so the terminal's text is in the DOM), read what a terminal shows, type
// into it, and send raw data-channel messages that skip the page's own role checks.
import fs from 'node:fs';
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openPage, type OpenedPage } from './browser.ts';

/** How long a page gets to join the mesh and show the host's first terminal, ms. */
export const JOIN_TIMEOUT_MS = 30_000;
/** How long terminal text, files and page states get to appear, ms. */
export const SEE_TIMEOUT_MS = 15_000;
/** The size of every page, px: big enough for an 80-column terminal at the base font. */
const VIEWPORT = { width: 1280, height: 720 };

/** The shape of `window.__liveSessions` that tests read (SessionState in the page). */
export interface PageSession {
  status: string;
  error: string | null;
  signaling: string;
  hostConnected: boolean;
  terminals: { id: number; exit?: { code: number } | null }[];
  self: { role: string; name: string };
}

/**
 * Runs in the page before the app: remembers every data channel the page creates, so a test can
 * send raw bytes on them past everything the app would check — a client that bypasses its UI.
 */
function captureChannels(): void {
  const w = window as unknown as { __testChannels: RTCDataChannel[] };
  w.__testChannels = [];
  const create = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, ...args: Parameters<typeof create>) {
    const ch = create.apply(this, args);
    w.__testChannels.push(ch);
    return ch;
  };
}

/** `link` with `params` added as a query before its `#` fragment (the fragment holds the secrets). */
export function withQuery(link: string, params: Record<string, string>): string {
  const hash = link.indexOf('#');
  const [base, frag] = hash < 0 ? [link, ''] : [link.slice(0, hash), link.slice(hash)];
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString() + frag;
}

/** Opens `link` as `name` (a new browser context) with screen-reader mode on; does not wait. */
export async function openAs(browser: Browser, link: string, name: string): Promise<OpenedPage> {
  const person = await openPage(browser, withQuery(link, { name, a11y: '1' }), captureChannels);
  await person.page.setViewportSize(VIEWPORT);
  return person;
}

/** Opens `link` as `name` and waits until the page is joined and shows a terminal of the host. */
export async function joinAs(browser: Browser, link: string, name: string): Promise<OpenedPage> {
  const person = await openAs(browser, link, name);
  try {
    await person.page.waitForFunction(
      () => {
        const s = (window as unknown as { __liveSessions?: PageSession }).__liveSessions;
        return s?.status === 'joined' && s.hostConnected && s.terminals.length > 0;
      },
      undefined,
      { timeout: JOIN_TIMEOUT_MS }
    );
    await person.page.locator('[data-testid="terminal"] .xterm-accessibility-tree').first().waitFor({ state: 'attached', timeout: SEE_TIMEOUT_MS });
  } catch (err) {
    const state = await sessionState(person.page).catch(() => null);
    await person.close();
    throw new Error(`${name} could not join through ${link}: ${(err as Error).message}\npage state: ${JSON.stringify(state)}`);
  }
  return person;
}

/** The page's session state (a plain copy of what tests read). */
export function sessionState(page: Page): Promise<PageSession | null> {
  return page.evaluate(() => {
    const s = (window as unknown as { __liveSessions?: PageSession }).__liveSessions;
    if (!s) return null;
    return {
      status: s.status,
      error: s.error,
      signaling: s.signaling,
      hostConnected: s.hostConnected,
      terminals: s.terminals.map((t) => ({ id: t.id, exit: t.exit ? { code: t.exit.code } : null })),
      self: { role: s.self.role, name: s.self.name }
    };
  });
}

function terminalSelector(termId?: number): string {
  return termId === undefined ? '[data-testid="terminal"]' : `[data-testid="terminal"][data-terminal-id="${termId}"]`;
}

/**
 * The text a terminal shows (its visible rows, from xterm's accessibility tree), rows joined by
 * newlines. Without `termId`: the first terminal.
 */
export async function screenText(page: Page, termId?: number): Promise<string> {
  const tree = page.locator(`${terminalSelector(termId)} .xterm-accessibility-tree`).first();
  return tree.evaluate((el) => [...el.children].map((row) => row.textContent ?? '').join('\n'));
}

/** Waits until the terminal shows `text` (a substring, or a pattern); fails with what it shows. */
export async function waitForScreen(page: Page, text: string | RegExp, termId?: number, timeoutMs = SEE_TIMEOUT_MS): Promise<string> {
  let last = '';
  await expect
    .poll(
      async () => {
        last = await screenText(page, termId);
        return typeof text === 'string' ? last.includes(text) : text.test(last);
      },
      { timeout: timeoutMs, interval: 100, message: `terminal never showed ${String(text)}` }
    )
    .toBe(true)
    .catch((err: Error) => {
      throw new Error(`${err.message}\nIt shows:\n${last.trimEnd()}`);
    });
  return last;
}

/** Clicks the terminal (keyboard focus) and types `text` as keystrokes ("\n" presses Enter). */
export async function typeInto(page: Page, text: string, termId?: number): Promise<void> {
  await page.locator(terminalSelector(termId)).first().click();
  await page.keyboard.type(text);
}

/**
 * Sends `message` (bytes the product's protocol encoded) as-is on every open data channel of the
 * page — to the host and every other peer — past all of the page's own checks. Returns how many
 * channels it went out on.
 */
/** Waits until `page` has data channels open to at least `peers` peers (a page that joined is
 * connected to the host first; the mesh to the other pages follows a moment later). */
export async function waitForChannels(page: Page, peers: number, timeoutMs = SEE_TIMEOUT_MS): Promise<void> {
  const open = () => page.evaluate(() => (window as unknown as { __testChannels: RTCDataChannel[] }).__testChannels.filter((c) => c.readyState === 'open').length);
  await expect.poll(open, { timeout: timeoutMs, interval: 50, message: `the page never had channels open to ${peers} peers` }).toBeGreaterThanOrEqual(peers);
}

export function sendRaw(page: Page, message: Uint8Array): Promise<number> {
  return page.evaluate((bytes) => {
    const open = (window as unknown as { __testChannels: RTCDataChannel[] }).__testChannels.filter((c) => c.readyState === 'open');
    for (const c of open) c.send(new Uint8Array(bytes));
    return open.length;
  }, [...message]);
}

/** Waits until `file` exists (the shell created it), bounded by `timeoutMs`. */
export async function waitForFile(file: string, timeoutMs = SEE_TIMEOUT_MS): Promise<void> {
  await expect.poll(() => fs.existsSync(file), { timeout: timeoutMs, interval: 50, message: `${file} was never created` }).toBe(true);
}
