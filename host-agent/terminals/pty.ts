/** Spawning and ending the shell process behind a terminal (node-pty, raw bytes). */
import * as nodePty from 'node-pty';
import type { IPty } from 'node-pty';

/** How long a process gets to exit after SIGHUP before it is sent SIGKILL, ms. */
export const KILL_GRACE_MS = 1000;

export interface PtySpec {
  shell: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

/** The environment a shell sees: the given one (default: ours) plus what says which terminal it is in. */
export function shellEnv(env: Record<string, string> | undefined): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? process.env)) if (typeof v === 'string') base[k] = v;
  return { ...base, TERM: 'xterm-256color', COLORTERM: 'truecolor', LIVE_SESSIONS: '1' };
}

/** Starts the shell; its onData delivers Buffers (encoding null) so output is forwarded byte-exact. */
export function spawnPty(spec: PtySpec): IPty {
  return nodePty.spawn(spec.shell, spec.args, {
    name: 'xterm-256color',
    cols: spec.cols,
    rows: spec.rows,
    cwd: spec.cwd,
    env: spec.env,
    encoding: null
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours to signal
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGHUP (what a closing terminal sends), closes the PTY, then SIGKILL if the process lingers. */
export function killPty(pty: IPty): void {
  const pid = pty.pid;
  pty.kill('SIGHUP');
  try {
    // not in the typings, but closes the master side so node stops reading it
    (pty as IPty & { destroy?: () => void }).destroy?.();
  } catch {
    // already closed
  }
  const timer = setTimeout(() => {
    if (!isAlive(pid)) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }, KILL_GRACE_MS);
  timer.unref();
}
