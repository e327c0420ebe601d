/**
 * Replays events into state: who is there, the latest shared-state messages (the terminal list),
 * and every terminal's screen through a TerminalSink per terminal. The recorder runs it over
 * headless terminals to take keyframes; the player runs it over the page's xterms to show them.
 * Both start from a keyframe (`load`) and `apply` the events after it, in seq order.
 */
import type { Typed } from '../protocol/capability.ts';
import type { TermInfo } from '../protocol/terminal.ts';
import type { TerminalSink } from '../terminal/output-stream.ts';
import type { Person, ReplayState, Screen, Stored } from './events.ts';
import { STATE_FOLDS } from './folds.ts';

/** Messages that carry a terminal's bytes; everything else a capability sends is kept as the
 * latest of its kind (`cap.type`), which is how a list such as the terminals is known at any t. */
const TERMINAL = 'terminal';

export class ReplayModel {
  people = new Map<string, Person>();
  self: Person | null = null;
  latest: Record<string, Typed> = {};
  /** the size each terminal last had (snapshots and the terminal list say) */
  sizes = new Map<number, { cols: number; rows: number }>();
  /** the seq of the last event applied (or of the keyframe loaded) */
  seq = 0;
  /** the t of that event, ms */
  t = 0;
  #sink: (id: number) => TerminalSink;

  /** `sink(id)` gives the screen of terminal `id` (made on first use) */
  constructor(sink: (id: number) => TerminalSink) {
    this.#sink = sink;
  }

  load(k: ReplayState & { seq: number; t: number }): void {
    this.people = new Map(k.people.map((p) => [p.id, p]));
    this.self = k.self;
    this.latest = { ...k.latest };
    this.sizes.clear();
    for (const s of k.screens) {
      this.sizes.set(s.id, { cols: s.cols, rows: s.rows });
      this.#sink(s.id).reset(s.data, s.cols, s.rows);
    }
    this.seq = k.seq;
    this.t = k.t;
  }

  apply(e: Stored): void {
    this.seq = e.seq;
    this.t = e.t;
    switch (e.k) {
      case 'self':
        this.self = e.who;
        return;
      case 'join':
        this.people.set(e.who.id, e.who);
        return;
      case 'leave':
        this.people.delete(e.id);
        return;
      case 'rename': {
        const p = this.people.get(e.id);
        if (p) this.people.set(e.id, { ...p, name: e.name });
        else if (this.self?.id === e.id) this.self = { ...this.self, name: e.name };
        return;
      }
      case 'marker':
        return;
      case 'msg':
        if (e.cap === TERMINAL) return this.#terminal(e.msg);
        if (STATE_FOLDS[e.cap]) return STATE_FOLDS[e.cap](this.latest, e.msg);
        this.latest[`${e.cap}.${e.msg.type}`] = e.msg;
        return;
    }
  }

  #terminal(m: Typed): void {
    const t = m as Typed & { id: number; cols: number; rows: number; data: Uint8Array | string; list: TermInfo[] };
    switch (m.type) {
      case 'output':
        return this.#sink(t.id).write(t.data as Uint8Array, () => {});
      case 'snapshot':
        this.sizes.set(t.id, { cols: t.cols, rows: t.rows });
        return this.#sink(t.id).reset(t.data as string, t.cols, t.rows);
      case 'terms':
        this.latest['terminal.terms'] = m;
        for (const info of t.list) {
          const was = this.sizes.get(info.id);
          if (was && (was.cols !== info.cols || was.rows !== info.rows)) this.#sink(info.id).resize(info.cols, info.rows);
          this.sizes.set(info.id, { cols: info.cols, rows: info.rows });
        }
        return;
    }
  }

  /** The terminals as the host last listed them. */
  get terminals(): TermInfo[] {
    return ((this.latest['terminal.terms'] as { list?: TermInfo[] } | undefined)?.list ?? []).slice();
  }

  /** Everything but the screens, for a keyframe. */
  state(screens: Screen[]): ReplayState {
    return { people: [...this.people.values()], self: this.self, latest: { ...this.latest }, screens };
  }
}
