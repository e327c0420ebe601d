// The real product for the product-level benchmarks: `live-sessions signal` and `live-sessions
// host --json` as child processes (test/helpers/processes.ts), and session pages in Chromium with
// the page probe (page-probe.ts) installed before the app starts.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHostProcess, startSignalingProcess, type HostProcess, type SignalingProcess } from '../helpers/processes.ts';
import { makeTempDir } from '../helpers/tmp.ts';
import { installProbe, type PageProbe } from './page-probe.ts';

/** How long a page gets to join and show the first snapshot, ms. */
export const JOIN_TIMEOUT_MS = 20_000;

/** Host shell for echo: raw mode, no kernel echo, `cat` writes each key back (as in raw-pty.ts). */
export const ECHO_SHELL = '#!/bin/sh\nstty raw -echo\nexec cat\n';
/** Host shell for commands: bash without rc files and with a 2-byte prompt, so output is predictable. */
export const COMMAND_SHELL = "#!/bin/sh\nexec env PS1='$ ' /bin/bash --norc --noprofile -i\n";

/** In page functions: `(window as unknown as ProbeWindow).__probe`. */
export type ProbeWindow = { __probe: PageProbe };

export interface Peer {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

export class ProductSession {
  readonly signaling: SignalingProcess;
  readonly host: HostProcess;
  #peers = new Set<Peer>();

  private constructor(signaling: SignalingProcess, host: HostProcess) {
    this.signaling = signaling;
    this.host = host;
  }

  /** Starts a signaling server and a host agent whose terminals run the shell script `shell`
   * (`hostArgs`: more `live-sessions host` flags; `dir`: its folder, a fresh one by default;
   * `cli`: another checkout's bin/live-sessions.js — both programs, and so the app it serves). */
  static async start(shell: string, hostArgs: string[] = [], dir = makeTempDir('live-sessions-bench-'), cli?: string): Promise<ProductSession> {
    const script = join(dir, 'shell.sh');
    writeFileSync(script, shell);
    chmodSync(script, 0o755);
    const env = { LIVE_SESSIONS_STATE_DIR: join(dir, 'state') };
    const signaling = await startSignalingProcess({ env, cli });
    try {
      const host = await startHostProcess(signaling.url, { shell: script, env, cwd: dir, args: hostArgs, cli });
      return new ProductSession(signaling, host);
    } catch (err) {
      await signaling.stop();
      throw err;
    }
  }

  /**
   * Opens `role`'s link as `name` in a new context of `browser` (or in `reuse`, a context made with
   * `newVisitor()`: a returning visitor with its HTTP cache) and resolves once the first
   * snapshot has been applied (the page has joined, met the host and subscribed to terminal 1).
   */
  async openPeer(browser: Browser, role: 'owner' | 'editor' | 'viewer', name: string, reuse?: BrowserContext): Promise<Peer> {
    const context = reuse ?? (await browser.newContext({ viewport: { width: 1280, height: 720 } }));
    if (!reuse) await context.addInitScript(installProbe);
    const page = await context.newPage();
    // the page's own account of a failed join: its console (the mesh logs with console.debug)
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`.slice(0, 300)));
    page.on('pageerror', (e) => consoleLines.push(`uncaught: ${e.message}`));
    const peer: Peer = {
      page,
      context,
      close: async () => {
        this.#peers.delete(peer);
        // a reused context (a returning visitor, with its cache) belongs to the caller
        await (reuse ? page.close() : context.close()).catch(() => {});
      }
    };
    this.#peers.add(peer);
    try {
      await page.goto(this.link(role, name));
      await page.waitForFunction(() => ((window as unknown as { __probe?: PageProbe }).__probe?.resets ?? 0) > 0, null, { timeout: JOIN_TIMEOUT_MS });
    } catch (err) {
      const state = await page
        .evaluate(() => {
          const s = (window as unknown as { __liveSessions?: { status: string; hostConnected: boolean; error: string | null; terminals: unknown[] } }).__liveSessions;
          return s ? `status ${s.status}, host connected ${s.hostConnected}, ${s.terminals.length} terminals, error ${s.error}` : 'no SessionState';
        })
        .catch(() => 'page unreachable');
      await peer.close();
      throw new Error(
        `${name} (${role}) did not show the terminal within ${JOIN_TIMEOUT_MS} ms (${(err as Error).message.split('\n')[0]}); ${state}; ` +
          `its last console lines: ${consoleLines.slice(-12).join(' | ')}`
      );
    }
    return peer;
  }

  /** A browser context for returning visits (its cache persists across `openPeer(…, ctx)`). */
  static async newVisitor(browser: Browser): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await context.addInitScript(installProbe);
    return context;
  }

  /** `role`'s link with `?name=` (before the fragment). */
  link(role: 'owner' | 'editor' | 'viewer', name: string): string {
    const u = new URL(this.host.links[role]);
    u.searchParams.set('name', name);
    return u.href;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#peers].map((p) => p.close()));
    await this.host.stop();
    await this.signaling.stop();
  }
}
