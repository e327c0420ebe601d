/**
 * One shared terminal on the host: a PTY whose output is numbered in chunks (1, 2, 3…), kept in a
 * bounded ring for resuming peers and parsed by a headless mirror (on its own thread) for late joiners.
 *
 * Consumer recipe (no gap, no duplicate): `const s = await t.snapshot()`, then in the same
 * continuation `t.tail(s.seq + 1)` and live `onOutput` chunks with seq > the last one applied.
 */
import type { IDisposable, IPty } from 'node-pty';
import { MAX_COLS, MAX_ROWS, type TermInfo } from '../../src/lib/protocol/terminal.ts';
import { MAX_FRAME_BYTES } from '../../src/lib/protocol/frames.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import { TerminalMirror, type MirrorSnapshot } from './mirror.ts';
import { OutputRing, type OutputChunk } from './output-ring.ts';
import { isAlive, killPty, shellEnv, spawnPty } from './pty.ts';

export interface TerminalOptions {
  id: number;
  shell: string;
  args?: string[];
  cwd: string;
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
  /** lines, default 5000 */
  scrollback?: number;
  /** mirror backlog (unparsed bytes) at which the PTY is paused and resumed; default MIRROR_*_WATER_BYTES */
  flowControl?: { highWaterBytes: number; lowWaterBytes: number };
}

/** Largest output chunk, bytes: a TERM_OUTPUT frame adds a 7-byte header. */
export const MAX_CHUNK_BYTES = MAX_FRAME_BYTES - 7;
export const DEFAULT_SCROLLBACK_LINES = 5000;
/** The PTY is paused while the mirror has more unparsed bytes than this… */
export const MIRROR_HIGH_WATER_BYTES = 1024 * 1024;
/** …and resumed once it is below this. */
export const MIRROR_LOW_WATER_BYTES = 256 * 1024;
/** While paused, how often we check that the shell still lives, ms (see #pause). */
const PAUSED_EXIT_POLL_MS = 25;
const MAX_TITLE_CHARS = 200;
/** Written on restart: abort any half sequence (CAN), soft reset, leave the alternate screen and mouse/paste modes, then a dim separator. */
const RESTART_BANNER = '\x18\x1b[!p\x1b[?1047l\x1b[?1000;1002;1003;1006;2004l\r\n\x1b[2m--- restarted ---\x1b[0m\r\n';

export class HostTerminal {
  readonly id: number;
  #shell: string;
  #args: string[];
  #cwd: string;
  #env: Record<string, string>;
  #cols: number;
  #rows: number;
  #title: string;
  #sizedBy: string | undefined;
  #exit: TermInfo['exit'] = null;
  #seq = 0;
  #pty: IPty | null = null;
  #ptySubs: IDisposable[] = [];
  #paused = false;
  /** held by the record (its writer fell far behind): paused whatever the mirror's state */
  #held = false;
  #highWater: number;
  #lowWater: number;
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #disposed = false;
  #mirror: TerminalMirror;
  #ring = new OutputRing();
  #output = new Emitter<[number, Uint8Array]>();
  #exited = new Emitter<[number, number]>();
  #change = new Emitter<void>();

  constructor(opts: TerminalOptions) {
    this.id = opts.id;
    this.#shell = opts.shell;
    this.#args = opts.args ?? [];
    this.#cwd = opts.cwd;
    this.#env = shellEnv(opts.env);
    this.#cols = clamp(opts.cols, 1, MAX_COLS, 80);
    this.#rows = clamp(opts.rows, 1, MAX_ROWS, 24);
    this.#title = this.#defaultTitle();
    this.#highWater = opts.flowControl?.highWaterBytes ?? MIRROR_HIGH_WATER_BYTES;
    this.#lowWater = Math.min(opts.flowControl?.lowWaterBytes ?? MIRROR_LOW_WATER_BYTES, this.#highWater);
    this.#mirror = new TerminalMirror(this.#cols, this.#rows, opts.scrollback ?? DEFAULT_SCROLLBACK_LINES);
    this.#mirror.onReply((reply) => this.write(reply));
    this.#mirror.onTitle((t) => {
      const title = t.slice(0, MAX_TITLE_CHARS) || this.#defaultTitle();
      if (title === this.#title) return;
      this.#title = title;
      this.#change.fire();
    });
    this.#mirror.onParsed(() => this.#maybeResume());
    this.#spawn();
  }

  get info(): TermInfo {
    const info: TermInfo = { id: this.id, title: this.#title, cols: this.#cols, rows: this.#rows, exit: this.#exit ? { ...this.#exit } : null };
    if (this.#sizedBy) info.sizedBy = this.#sizedBy;
    return info;
  }

  /** seq of the last output chunk (0 = none yet) */
  get seq(): number {
    return this.#seq;
  }

  /** Bytes the mirror has yet to parse (bounded by flow control). */
  get pendingBytes(): number {
    return this.#mirror.pendingBytes;
  }

  /**
   * Holds reading the PTY (`true`) until released, on top of the mirror's flow control: the record's
   * writer uses it when it fell far behind, so its memory stays bounded.
   */
  hold(held: boolean): void {
    if (this.#held === held || this.#disposed) return;
    this.#held = held;
    if (held && !this.#paused) this.#pause();
    else this.#maybeResume();
  }

  /** Whether reading the PTY is paused until the mirror (or the record) catches up. */
  get flowPaused(): boolean {
    return this.#paused;
  }

  /** The shell's process id, or null once it exited. */
  get pid(): number | null {
    return this.#pty?.pid ?? null;
  }

  /** The PTY's device (/dev/pts/N), for reading its terminal settings (audit: echo off). */
  get ptsName(): string | null {
    return (this.#pty as { ptsName?: string } | null)?.ptsName ?? null;
  }

  onOutput(cb: (seq: number, data: Uint8Array) => void): () => void {
    const sub = this.#output.on((a) => cb(...a));
    return () => sub.dispose();
  }

  onExit(cb: (code: number, signal: number) => void): () => void {
    const sub = this.#exited.on((a) => cb(...a));
    return () => sub.dispose();
  }

  /** info changed: title, size, exit, restart */
  onChange(cb: () => void): () => void {
    const sub = this.#change.on(cb);
    return () => sub.dispose();
  }

  write(data: Uint8Array | string): void {
    if (!this.#pty || this.#disposed) return;
    this.#pty.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  /** `by`: the display name of who asked (shown beside the shared size) */
  resize(cols: number, rows: number, by?: string): void {
    if (this.#disposed) return;
    cols = clamp(cols, 1, MAX_COLS, this.#cols);
    rows = clamp(rows, 1, MAX_ROWS, this.#rows);
    if (cols === this.#cols && rows === this.#rows) return;
    this.#sizedBy = by;
    this.#cols = cols;
    this.#rows = rows;
    try {
      this.#pty?.resize(cols, rows);
    } catch {
      // the PTY is closing; its exit event follows
    }
    this.#mirror.resize(cols, rows);
    this.#change.fire();
  }

  snapshot(opts?: { screenOnly?: boolean }): Promise<MirrorSnapshot> {
    return this.#mirror.snapshot(opts);
  }

  tail(from: number): OutputChunk[] | null {
    return this.#ring.tail(from);
  }

  /** Starts a new shell in an exited terminal; history and numbering continue. */
  restart(): void {
    if (this.#disposed) throw new Error(`Terminal ${this.id} is closed; open a new one instead.`);
    if (!this.#exit) throw new Error(`Terminal ${this.id} is still running; only an exited terminal can be restarted.`);
    this.#emit(Buffer.from(RESTART_BANNER));
    this.#exit = null;
    this.#title = this.#defaultTitle();
    this.#spawn();
    this.#change.fire();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stopPolling();
    const pty = this.#pty;
    this.#detach();
    if (pty) killPty(pty);
    this.#mirror.dispose();
    this.#output.dispose();
    this.#exited.dispose();
    this.#change.dispose();
  }

  #spawn(): void {
    const pty = spawnPty({ shell: this.#shell, args: this.#args, cwd: this.#cwd, env: this.#env, cols: this.#cols, rows: this.#rows });
    this.#pty = pty;
    this.#paused = false;
    this.#ptySubs = [
      pty.onData((d) => this.#onData(d as unknown as Buffer)),
      pty.onExit(({ exitCode, signal }) => this.#onExit(exitCode, signal ?? 0))
    ];
  }

  #detach(): void {
    for (const s of this.#ptySubs) s.dispose();
    this.#ptySubs = [];
    this.#pty = null;
    this.#paused = false;
  }

  #onData(data: Buffer): void {
    if (this.#disposed) return;
    this.#emit(data);
    if (!this.#paused && (this.#held || this.#mirror.pendingBytes > this.#highWater)) this.#pause();
  }

  /** Numbers, forwards and mirrors output, split into frame-sized chunks: peers first, the
   * mirror's copy (to its thread) right after, in the same turn, so a snapshot asked for later
   * covers this chunk. */
  #emit(data: Uint8Array): void {
    for (let at = 0; at < data.length; at += MAX_CHUNK_BYTES) {
      const chunk = data.subarray(at, at + MAX_CHUNK_BYTES);
      const seq = ++this.#seq;
      this.#ring.push(seq, chunk);
      this.#output.fire([seq, chunk]);
      this.#mirror.write(seq, chunk);
    }
  }

  /**
   * Stops reading the PTY until the mirror catches up, so `yes` cannot grow memory. node-pty drops
   * unread output 200 ms after the shell exits, so while paused we watch the pid and drain at once
   * when it is gone (what remains is at most the kernel's PTY buffer).
   */
  #pause(): void {
    const pty = this.#pty;
    if (!pty) return;
    this.#paused = true;
    pty.pause();
    this.#pollTimer = setInterval(() => {
      if (!isAlive(pty.pid)) this.#resume();
    }, PAUSED_EXIT_POLL_MS);
  }

  #maybeResume(): void {
    if (this.#paused && !this.#held && this.#mirror.pendingBytes <= this.#lowWater) this.#resume();
  }

  #resume(): void {
    this.#stopPolling();
    if (!this.#paused) return;
    this.#paused = false;
    this.#pty?.resume();
  }

  #stopPolling(): void {
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#pollTimer = null;
  }

  #onExit(code: number, signal: number): void {
    if (this.#disposed) return;
    this.#stopPolling();
    this.#detach();
    this.#exit = { code: clamp(code, -1, 255, -1), signal: clamp(signal, 0, 128, 0) };
    this.#exited.fire([this.#exit.code, this.#exit.signal]);
    this.#change.fire();
  }

  #defaultTitle(): string {
    return (this.#shell.split('/').pop() || this.#shell).slice(0, MAX_TITLE_CHARS);
  }
}

function clamp(v: number | undefined, min: number, max: number, fallback: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(v)));
}
