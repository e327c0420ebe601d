// Child processes for tests: the real `live-sessions` CLI (signal, host) run as separate programs,
// their output collected line by line. Every process started here is registered, so a test file
// needs only `afterEach(stopAll)` to leave nothing running.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './tmp.ts';
import type { HostEvent } from '../../bin/host.ts';

/** The repository root (test/helpers/ is two levels below it). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI entry point, run with this very Node (24, from node_modules/.bin). */
export const CLI = fileURLToPath(new URL('../../bin/live-sessions.js', import.meta.url));

/** How long `stop()` waits after SIGTERM before it sends SIGKILL, ms. */
export const STOP_GRACE_MS = 5_000;
/** Default time `waitForLine()` waits, ms. */
export const WAIT_LINE_MS = 15_000;
/** Lines of output quoted in error messages. */
const TAIL_LINES = 20;
/** Set LIVE_SESSIONS_TEST_VERBOSE=1 to mirror every child's output on stderr while debugging. */
const VERBOSE = process.env.LIVE_SESSIONS_TEST_VERBOSE === '1';

export type Stream = 'stdout' | 'stderr' | 'any';
export interface SpawnOptions {
  cwd?: string;
  /** merged over process.env */
  env?: NodeJS.ProcessEnv;
  /** starts the program somewhere else (a NatLab network); default: here */
  run?: (command: string, args: string[], opts: SpawnOptions) => ManagedProcess;
  /** another checkout's bin/live-sessions.js (the bench compares builds side by side) */
  cli?: string;
}
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}
interface Waiter {
  regex: RegExp;
  stream: Stream;
  resolve: (m: RegExpMatchArray) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const running = new Set<ManagedProcess>();

/** A child process whose stdout/stderr are split into lines and kept for assertions. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly label: string;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  /** resolves when the process has exited (whatever the reason) */
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | null = null;
  #waiters = new Set<Waiter>();

  constructor(command: string, args: string[], opts: SpawnOptions = {}) {
    this.label = [command, ...args].join(' ');
    this.child = spawn(command, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    this.#collect('stdout', this.stdout);
    this.#collect('stderr', this.stderr);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        // Output written just before exit may still be in the pipes: give it a moment.
        setTimeout(() => this.#rejectWaiters(`exited (${describeExit(this.exitInfo)})`), 100);
        resolve(this.exitInfo);
      });
    });
    this.child.once('error', (err) => this.#rejectWaiters(`could not start: ${err.message}`));
    running.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Resolves with the match of the first line (already received or future) matching `regex` on
   * `stream`; rejects when the process exits first or after `timeoutMs`.
   */
  waitForLine(regex: RegExp, timeoutMs = WAIT_LINE_MS, stream: Stream = 'any'): Promise<RegExpMatchArray> {
    const seen = [...(stream !== 'stderr' ? this.stdout : []), ...(stream !== 'stdout' ? this.stderr : [])];
    for (const line of seen) {
      const m = line.match(regex);
      if (m) return Promise.resolve(m);
    }
    if (this.exitInfo) return Promise.reject(this.#error(`exited (${describeExit(this.exitInfo)}) without printing a line matching ${regex}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        regex,
        stream,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(this.#error(`printed no line matching ${regex} within ${timeoutMs} ms`));
        }, timeoutMs)
      };
      this.#waiters.add(waiter);
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(killer);
    }
  }

  /** The last lines of both streams, for error messages. */
  tail(): string {
    const out = this.stdout.slice(-TAIL_LINES).map((l) => `  stdout| ${l}`);
    const err = this.stderr.slice(-TAIL_LINES).map((l) => `  stderr| ${l}`);
    return [...out, ...err].join('\n') || '  (no output)';
  }

  #collect(name: 'stdout' | 'stderr', lines: string[]): void {
    const stream = this.child[name];
    if (!stream) return;
    stream.setEncoding('utf8');
    let partial = '';
    const push = (line: string) => {
      lines.push(line);
      if (VERBOSE) process.stderr.write(`[${this.label.slice(0, 40)} ${name}] ${line}\n`);
      for (const w of this.#waiters) {
        if (w.stream !== 'any' && w.stream !== name) continue;
        const m = line.match(w.regex);
        if (!m) continue;
        clearTimeout(w.timer);
        this.#waiters.delete(w);
        w.resolve(m);
      }
    };
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const p of parts) push(p);
    });
    stream.on('end', () => {
      if (partial) push(partial);
      partial = '';
    });
  }

  #rejectWaiters(why: string): void {
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(this.#error(`${why} before printing a line matching ${w.regex}`));
    }
    this.#waiters.clear();
  }

  #error(what: string): Error {
    return new Error(`'${this.label}' ${what}. Its last output:\n${this.tail()}`);
  }
}

function describeExit(info: ExitInfo | null): string {
  if (!info) return 'still running';
  return info.signal ? `signal ${info.signal}` : `code ${info.code}`;
}

/** Starts any program as a registered, line-collected child. */
export function spawnProcess(command: string, args: string[], opts: SpawnOptions = {}): ManagedProcess {
  return new ManagedProcess(command, args, opts);
}

/**
 * Environment for shells that tests start: a HOME of their own and no history file, so the
 * user's rc files (which may be slow, or leave locks behind when a test ends a shell during its
 * startup — pyenv's rehash lock did here) and ~/.bash_history stay out of the tests.
 */
export function shellTestEnv(): Record<string, string> {
  return { HOME: makeTempDir('live-sessions-home-'), HISTFILE: '/dev/null' };
}

/** Runs `node bin/live-sessions.js ...args` with this Node. */
export function spawnCli(args: string[], opts: SpawnOptions = {}): ManagedProcess {
  // state (signaling keys and sessions, audit logs) goes to a temp dir, never to the user's home
  const env = { LIVE_SESSIONS_STATE_DIR: makeTempDir('live-sessions-state-'), ...opts.env };
  return (opts.run ?? spawnProcess)(process.execPath, [opts.cli ?? CLI, ...args], { ...opts, env });
}

/** Stops every process started by this module that is still running (use in `afterEach`). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Processes started here and still running (for assertions that nothing leaked). */
export function runningProcesses(): ManagedProcess[] {
  return [...running];
}

/** How long the CLI programs get to start and print their first line, ms. */
export const START_TIMEOUT_MS = 20_000;

export interface SignalingProcess {
  /** e.g. http://127.0.0.1:43211 — the address the server printed */
  url: string;
  /** where it keeps its key and sessions: start another with the same to simulate a restart */
  stateDir: string;
  process: ManagedProcess;
  stop(): Promise<ExitInfo>;
}

/** `live-sessions signal --port 0 [...extraArgs]`; resolves once it prints `listening on URL`. */
export async function startSignalingProcess(opts: SpawnOptions & { args?: string[]; port?: number; stateDir?: string } = {}): Promise<SignalingProcess> {
  const stateDir = opts.stateDir ?? makeTempDir('live-sessions-signaling-');
  const proc = spawnCli(['signal', '--port', String(opts.port ?? 0), '--state', stateDir, ...(opts.args ?? [])], opts);
  try {
    const m = await proc.waitForLine(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
    return { url: m[1].replace(/\/$/, ''), stateDir, process: proc, stop: () => proc.stop() };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

export interface HostLinks {
  owner: string;
  editor: string;
  viewer: string;
}
export interface HostProcess {
  session: string;
  links: HostLinks;
  process: ManagedProcess;
  stop(): Promise<ExitInfo>;
}
export interface HostOptions {
  /** `--cwd DIR`: the directory the host agent works in (a fresh temp dir when absent); the
   *  child process itself runs in the repository root */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `--shell CMD`; the host's default shell when absent */
  shell?: string;
  args?: string[];
  /** see SpawnOptions.run */
  run?: SpawnOptions['run'];
  /** another checkout's bin/live-sessions.js */
  cli?: string;
}

/**
 * `live-sessions host --signaling URL --cwd DIR --json`; resolves with the session and links the
 * host printed as its first stdout line.
 */
export async function startHostProcess(signalingUrl: string, opts: HostOptions = {}): Promise<HostProcess> {
  const args = ['host', '--signaling', signalingUrl, '--cwd', opts.cwd ?? makeTempDir('live-sessions-host-'), '--json'];
  if (opts.shell) args.push('--shell', opts.shell);
  const proc = spawnCli([...args, ...(opts.args ?? [])], { env: { ...shellTestEnv(), ...opts.env }, run: opts.run, cli: opts.cli });
  try {
    const [first] = await proc.waitForLine(/^/, START_TIMEOUT_MS, 'stdout');
    return { ...parseHostLine(proc.stdout[0] ?? first), process: proc, stop: () => proc.stop() };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

/**
 * Waits for a JSON event line the host printed with `--json` (see bin/host.ts HostEvent), among
 * the stdout lines from index `since` on (line 0 is the links).
 */
export async function waitForHostEvent(host: HostProcess, match: (e: HostEvent) => boolean, timeoutMs = START_TIMEOUT_MS, since = 1): Promise<HostEvent> {
  const parse = (line: string): HostEvent | null => {
    try {
      return JSON.parse(line) as HostEvent;
    } catch {
      return null;
    }
  };
  const found = () => host.process.stdout.slice(since).map(parse).find((e) => e !== null && 'event' in e && match(e));
  const end = Date.now() + timeoutMs;
  while (!found()) {
    if (Date.now() > end) throw new Error(`the host printed no matching event within ${timeoutMs} ms; it printed: ${host.process.stdout.slice(1).join(' | ').slice(-500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return found()!;
}

/** Parses the host's `--json` line: `{"session": ID, "links": {"owner", "editor", "viewer"}}`. */
export function parseHostLine(line: string): { session: string; links: HostLinks } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`host --json must print one JSON line first on stdout; it printed: ${line.slice(0, 200)}`);
  }
  const o = v as { session?: unknown; links?: Record<string, unknown> };
  const links = o?.links;
  if (typeof o?.session !== 'string' || !links || ['owner', 'editor', 'viewer'].some((k) => typeof links[k] !== 'string')) {
    throw new Error(`host --json line lacks "session" or links.owner/editor/viewer: ${line.slice(0, 200)}`);
  }
  return { session: o.session, links: { owner: links.owner as string, editor: links.editor as string, viewer: links.viewer as string } };
}
