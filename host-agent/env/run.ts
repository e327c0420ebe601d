/**
 * How probes run: each in parallel with its own deadline, so one slow tool (a hung docker daemon,
 * an NFS mount under `df`) shows as timed out instead of holding the snapshot. Commands run as
 * child processes (`execFile`, never a shell) and files are read with fs promises, so nothing
 * blocks the agent's event loop while keystrokes flow.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import type { ProbeResult } from '../../src/lib/protocol/env.ts';

/** Thrown by a probe for "this box does not have that": shown as absent, not as an error. */
export class Absent extends Error {}

/**
 * Pids of the probes' own commands: not processes anyone in the session started. Kept a while
 * after they exit, since `ps` lists the ones that ran beside it (some caught between fork and
 * exec, still showing the agent's command line) and its output is read after they are gone.
 */
export const probing = new Set<number>();
const PROBE_PID_MEMORY_MS = 60_000;

function rememberProbe(pid: number): void {
  probing.add(pid);
  setTimeout(() => probing.delete(pid), PROBE_PID_MEMORY_MS).unref();
}

/** Most bytes of a command's output a probe reads. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * Runs `cmd args` and resolves with its stdout. A missing program is Absent; a non-zero exit is an
 * Error with the first line of stderr, or Absent when `absentIf` matches it (a tool installed
 * without its daemon or its config is as good as missing).
 */
export function run(cmd: string, args: string[], o: { timeoutMs: number; cwd?: string; absentIf?: RegExp; env?: NodeJS.ProcessEnv; stderr?: boolean }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: o.timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, cwd: o.cwd, env: o.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', HOME: process.env.HOME ?? '/' } }, (err, stdout, stderr) => {
      if (!err) return resolve(o.stderr ? stdout + stderr : stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return reject(new Absent(`${cmd} is not installed`));
      if (e.killed) return reject(new TimedOut());
      const first = (stderr || e.message).trim().split('\n')[0].slice(0, 300);
      if (o.absentIf?.test(stderr)) return reject(new Absent(`${cmd}: ${first}`));
      reject(new Error(`${cmd} ${args.join(' ')}: ${first}`));
    });
    if (child.pid !== undefined) rememberProbe(child.pid);
  });
}

class TimedOut extends Error {}

/** Where `cmd` is on `path`, or null: checked on disk, so a missing tool costs no process. */
export async function which(cmd: string, path: string | undefined): Promise<string | null> {
  for (const dir of (path ?? '').split(':')) {
    if (!dir) continue;
    const full = `${dir}/${cmd}`;
    try {
      await access(full, constants.X_OK);
      return full;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** What a probe found, and what it cut to stay bounded. */
export interface Probed<T> {
  data: T;
  truncated?: string;
}

/** Runs one probe against its deadline; never rejects. */
export async function probe<T>(fn: () => Promise<Probed<T>>, timeoutMs: number): Promise<ProbeResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const r = await Promise.race([fn(), deadline]);
    if (r === 'timeout') return { status: 'timeout', ms: timeoutMs };
    return r.truncated ? { status: 'ok', data: r.data, truncated: r.truncated } : { status: 'ok', data: r.data };
  } catch (e) {
    if (e instanceof TimedOut) return { status: 'timeout', ms: timeoutMs };
    if (e instanceof Absent) return { status: 'absent', reason: e.message };
    return { status: 'error', message: String((e as Error)?.message ?? e).slice(0, 500) };
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the first `max` items, and says how many went. */
export function bounded<T>(items: T[], max: number, what: string): Probed<T[]> {
  return items.length <= max ? { data: items } : { data: items.slice(0, max), truncated: `${what}: first ${max} of ${items.length}` };
}

/** A value cut to `max` characters, marked where it was cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max) + `…[${s.length - max} more chars]`;
}
