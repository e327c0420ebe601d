/**
 * Plays a recording back, without DOM. `seek(t)` starts from the nearest keyframe at or before t
 * (never from the beginning) and applies the events after it; moving forward within reach of the
 * current position just applies the events in between. Playing advances a clock at `speed`, reads
 * ahead a page at a time, and with `skipIdle` jumps over quiet stretches longer than IDLE_MS.
 */
import { Emitter } from '../mesh/events.ts';
import type { Typed } from '../protocol/capability.ts';
import type { TermInfo } from '../protocol/terminal.ts';
import type { Person, Stored } from './events.ts';
import type { RecordingReader } from './reader.ts';
import { ReplayModel } from './replay-state.ts';
import { ScreenBuffer } from './screens.ts';

export const SPEEDS = [0.5, 1, 2, 4, 8, 16] as const;
/** With skip idle, a gap between events longer than this is cut to SKIPPED_TO_MS, ms. */
export const IDLE_MS = 2000;
const SKIPPED_TO_MS = 250;
/** How far ahead of the position playing reads, ms of recording time (× speed). */
const READ_AHEAD_MS = 5000;
/** Player clock step while playing, ms of real time. */
const TICK_MS = 33;

/** User Timing measures of the last seek (DevTools' Performance panel shows them; the bench reads
 * them): its IndexedDB read (detail: the keyframe's characters, the events after it), and read +
 * applied. Only the last of each is kept. */
export const SEEK_READ = 'replay-seek-read';
export const SEEK_APPLY = 'replay-seek-apply';

/** Begin and end of a synchronized output block (DEC private mode 2026). */
const SYNC_BEGIN = '\x1b[?2026h';
const SYNC_BEGIN_BYTES = new TextEncoder().encode(SYNC_BEGIN);
const SYNC_END = new TextEncoder().encode('\x1b[?2026l');
const noop = () => {};

function measure(name: string, start: number, detail: unknown): void {
  performance.clearMeasures(name);
  performance.measure(name, { start, detail });
}

export interface PlayerView {
  t: number;
  playing: boolean;
  people: Person[];
  self: Person | null;
  terminals: TermInfo[];
  /** the latest shared-state messages at this point (replay-state.ts, folds.ts); do not modify */
  latest: Readonly<Record<string, Typed>>;
}

export class Player {
  readonly screens = new Map<number, ScreenBuffer>();
  readonly changed = new Emitter<PlayerView>();
  /** fires when the terminal list gained a terminal (so the view mounts it) */
  t = 0;
  length: number;
  speed = 1;
  skipIdle = false;
  playing = false;
  #reader: RecordingReader;
  #model: ReplayModel;
  #ahead: Stored[] = [];
  #busy: Promise<void> = Promise.resolve();
  #wanted: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #last = 0;
  #now: () => number;

  constructor(reader: RecordingReader, length: number, now: () => number = () => performance.now()) {
    this.#reader = reader;
    this.length = length;
    this.#now = now;
    this.#model = new ReplayModel((id) => this.screen(id));
  }

  screen(id: number): ScreenBuffer {
    let s = this.screens.get(id);
    if (!s) this.screens.set(id, (s = new ScreenBuffer()));
    return s;
  }

  /** Moves to t (ms). Seeks asked while one runs are coalesced: the last one wins. */
  seek(t: number): Promise<void> {
    this.#wanted = Math.max(0, Math.min(this.length, t));
    this.#busy = this.#busy.then(async () => {
      if (this.#wanted === null) return;
      const target = this.#wanted;
      this.#wanted = null;
      await this.#seek(target);
    });
    return this.#busy;
  }

  async #seek(target: number): Promise<void> {
    const here = target >= this.t ? { seq: this.#model.seq, t: this.#model.t } : null;
    const start = performance.now();
    const { from, events } = await this.#reader.seekRead(target, here);
    measure(SEEK_READ, start, { kf: from && from !== 'here' ? from.screens.reduce((n, s) => n + s.data.length, 0) : 0, events: events.length });
    // each terminal draws once, when the whole seek is parsed: its writes go inside a synchronized
    // output block (DEC 2026), so xterm neither draws the screens in between nor (viewport-sync.ts)
    // syncs its scrollbar on every line; the block starts after a reset, which ends any block
    if (from !== 'here') {
      const state = from ?? { people: [], self: null, latest: {}, screens: [], seq: 0, t: 0 };
      // a terminal the keyframe has is reset to its screen by load(); each xterm resets once
      const kept = new Set(state.screens.map((s) => s.id));
      for (const [id, s] of this.screens) if (!kept.has(id)) s.reset(SYNC_BEGIN, s.cols, s.rows);
      this.#model.load({ ...state, screens: state.screens.map((s) => ({ ...s, data: SYNC_BEGIN + s.data })) });
    } else if (events.length) for (const s of this.screens.values()) s.write(SYNC_BEGIN_BYTES, noop);
    this.#ahead = [];
    for (const e of events) this.#model.apply(e);
    if (from !== 'here' || events.length) for (const s of this.screens.values()) s.write(SYNC_END, noop);
    this.t = target;
    this.#emit();
    measure(SEEK_APPLY, start, null);
  }

  play(): void {
    if (this.playing) return;
    if (this.t >= this.length) void this.seek(0);
    this.playing = true;
    this.#last = this.#now();
    this.#tick();
    this.#emit();
  }

  pause(): void {
    this.playing = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#emit();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  #tick(): void {
    this.#timer = setTimeout(() => {
      this.#busy = this.#busy.then(() => this.#advance()).catch(() => this.pause());
    }, TICK_MS);
  }

  async #advance(): Promise<void> {
    if (!this.playing) return;
    const now = this.#now();
    let t = this.t + (now - this.#last) * this.speed;
    this.#last = now;
    if (this.#ahead.length === 0) {
      this.#ahead = await this.#reader.events(this.#model.seq, this.t + READ_AHEAD_MS * this.speed);
      // nothing soon: the next event, wherever it is (skip idle jumps to it)
      if (this.#ahead.length === 0) this.#ahead = [await this.#reader.next(this.#model.seq)].filter((e) => e !== undefined);
    }
    const next = this.#ahead[0];
    if (this.skipIdle && next && next.t - this.t > IDLE_MS) t = Math.max(t, next.t - SKIPPED_TO_MS);
    while (this.#ahead.length && this.#ahead[0].t <= t) this.#model.apply(this.#ahead.shift()!);
    this.t = Math.min(t, this.length);
    if (this.t >= this.length && this.#ahead.length === 0) {
      this.playing = false;
      this.#emit();
      return;
    }
    this.#emit();
    this.#tick();
  }

  view(): PlayerView {
    return { t: this.t, playing: this.playing, people: [...this.#model.people.values()], self: this.#model.self, terminals: this.#model.terminals, latest: this.#model.latest };
  }

  #emit(): void {
    this.changed.fire(this.view());
  }

  /** Resolves once every attached terminal parsed what the player wrote. */
  async settled(): Promise<void> {
    await this.#busy;
    await Promise.all([...this.screens.values()].map((s) => s.settled()));
  }

  dispose(): void {
    this.pause();
    this.changed.dispose();
  }
}
