/** Spawning and ending the shell process behind a terminal (node-pty, raw bytes). */
import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * Ends a terminal the way closing a real one does: SIGHUP to the shell and every process in its
 * session (the shell passes it on to its jobs, but a job forked a moment ago can miss that), then
 * close the PTY. After KILL_GRACE_MS the session gets SIGHUP once more and a lingering shell
 * SIGKILL; a job that deliberately ignores SIGHUP (nohup) survives, as it would in any terminal.
 */
export function killPty(pty: IPty): void {
  const pid = pty.pid;
  signal([pid, ...sessionMembers(pid)], 'SIGHUP');
  try {
    // not in the typings, but closes the master side so node stops reading it
    (pty as IPty & { destroy?: () => void }).destroy?.();
  } catch {
    // already closed
  }
  const timer = setTimeout(() => {
    signal(sessionMembers(pid), 'SIGHUP');
    if (isAlive(pid)) signal([pid], 'SIGKILL');
  }, KILL_GRACE_MS);
  timer.unref();
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      // exited meanwhile
    }
  }
}

/** Processes whose session id is `sid` (Linux /proc; [] where that is unavailable). */
export function sessionMembers(sid: number): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === sid) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // fields after "(comm)": state ppid pgrp session …
      const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
      if (session === sid) found.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
