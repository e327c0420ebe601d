// What every end-to-end test file starts with: a signaling server and a host agent (real
// processes, port 0) sharing bash in a fresh temp directory, and one Chromium for its people.
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { startHostProcess, startSignalingProcess, stopAll, type HostProcess, type SignalingProcess } from './processes.ts';
import { makeTempDir, removeTempDirs } from './tmp.ts';

export interface E2eSession {
  signaling: SignalingProcess;
  host: HostProcess;
  /** the shell's working directory */
  cwd: string;
  browser: Browser;
  /** closes the browser, stops the processes and removes the temp directories */
  dispose(): Promise<void>;
}

/** `hostArgs`: more flags for `live-sessions host` (`--log app.log`: relative to the cwd) */
export async function startE2eSession(opts: { hostArgs?: string[] } = {}): Promise<E2eSession> {
  const cwd = makeTempDir('live-sessions-e2e-cwd-');
  const signaling = await startSignalingProcess();
  try {
    const host = await startHostProcess(signaling.url, { cwd, shell: '/bin/bash', args: opts.hostArgs });
    const browser = await launchBrowser();
    return {
      signaling,
      host,
      cwd,
      browser,
      async dispose() {
        await browser.close();
        await stopAll();
        removeTempDirs();
      }
    };
  } catch (err) {
    await stopAll();
    removeTempDirs();
    throw err;
  }
}
