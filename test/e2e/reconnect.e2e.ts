/**
 * A browser's connection to the host drops mid-output (its RTCPeerConnections are closed under
 * it): the page reconnects by itself and its terminal continues exactly where it stopped — every
 * line once, in order, nothing lost, nothing shown twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startE2eSession, type E2eSession } from '../helpers/e2e-session.ts';
import { JOIN_TIMEOUT_MS, joinAs, typeInto, waitForScreen, withQuery } from '../helpers/session-page.ts';

/** Runs in the page before the app: keeps every RTCPeerConnection, and a copy of what each
 * terminal sink receives (snapshot, then live output), without touching product code. */
function tee(): void {
  const w = window as unknown as Record<string, unknown>;
  const pcs: RTCPeerConnection[] = [];
  const Native = window.RTCPeerConnection;
  w.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
    }
  };
  (w.RTCPeerConnection as typeof Native).generateCertificate = Native.generateCertificate.bind(Native);
  w.__pcs = pcs;
  const seen: Record<number, { snapshots: number; live: string }> = {};
  w.__seen = seen;
  type Sink = { reset(s: string, c: number, r: number): void; write(d: Uint8Array, done?: () => void): void; resize(c: number, r: number): void };
  let state: { attachTerminal(id: number, sink: Sink): () => void } | undefined;
  Object.defineProperty(window, '__liveSessions', {
    configurable: true,
    get: () => state,
    set(v: NonNullable<typeof state>) {
      state = v;
      const attach = v.attachTerminal.bind(v);
      v.attachTerminal = (id: number, sink: Sink) => {
        const dec = new TextDecoder();
        const rec = (seen[id] ??= { snapshots: 0, live: '' });
        return attach(id, {
          reset: (s, c, r) => {
            rec.snapshots++;
            rec.live = s;
            sink.reset(s, c, r);
          },
          write: (d, done) => {
            rec.live += dec.decode(d, { stream: true });
            sink.write(d, done);
          },
          resize: (c, r) => sink.resize(c, r)
        });
      };
    }
  });
}

let session: E2eSession;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  session = await startE2eSession();
  context = await session.browser.newContext();
  await context.addInitScript(tee);
  page = await context.newPage();
  await page.goto(withQuery(session.host.links.editor, { name: 'Rhea', a11y: '1' }));
  await page.waitForFunction(() => {
    const s = (window as unknown as { __liveSessions?: { status: string; hostConnected: boolean; terminals: unknown[] } }).__liveSessions;
    return s?.status === 'joined' && s.hostConnected && s.terminals.length > 0;
  }, undefined, { timeout: JOIN_TIMEOUT_MS });
});

afterAll(async () => {
  await context?.close();
  await session?.dispose();
});

describe('reconnect', () => {
  it('resumes the terminal after the connection to the host dropped, without gaps or duplicates', async () => {
    const watcher = await joinAs(session.browser, session.host.links.viewer, 'Wanda');
    await typeInto(page, 'for i in $(seq 1 120); do echo L$i-x; sleep 0.05; done; echo LOOP-$((2+3))\n');
    // any line of the loop (one particular line may scroll by between two looks on a loaded machine);
    // the loop runs 6 s, so the drop below comes while it prints
    const running = await waitForScreen(page, /^L\d+-x/m);
    expect(running).not.toMatch(/^LOOP-5/m);
    const closed = await page.evaluate(() => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      for (const pc of pcs) pc.close();
      return pcs.length;
    });
    expect(closed).toBeGreaterThan(0);
    // the page reconnects by itself (new connections), and the loop's end shows up
    await waitForScreen(page, /^LOOP-5/m, undefined, JOIN_TIMEOUT_MS);
    expect(await page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.length)).toBeGreaterThan(closed);
    await waitForScreen(watcher.page, /^LOOP-5/m);
    const seen = await page.evaluate(() => Object.values((window as unknown as { __seen: Record<number, { snapshots: number; live: string }> }).__seen)[0]);
    // (without the invisible OSC marks of the shell integration, which may start a line)
    const text = seen.live.replace(/\x1b\][^\x07]*\x07/g, '');
    const lines = [...text.matchAll(/^L(\d+)-x\r?$/gm)].map((m) => Number(m[1]));
    expect(lines).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    // resumed from the ring buffer: the only snapshot is the one from joining
    expect(seen.snapshots).toBe(1);
    await watcher.close();
  });
});
