/**
 * Turns each terminal's shell-integration marks and its authored input into commands: the text
 * the shell reported, who typed since the previous command finished, the cwd, start, end and
 * exit code. Input typed while a command runs belongs to that program, not to the next command.
 */
import { MAX_AUTHORS, MAX_COMMAND_CHARS, MAX_COMMANDS, type Command, type CommandAuthor } from '../../src/lib/protocol/commands.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import { OscScanner, type ShellMark } from './osc-scanner.ts';

interface Track {
  scanner: OscScanner;
  cwd: string | null;
  authors: Map<string, CommandAuthor>;
  running: Command | null;
  /** a shell-integration mark was seen: its commands are known */
  marked: boolean;
  /** lines typed while no command ran (only counted until a mark is seen) */
  enters: number;
}

/** Lines typed at a shell that never said anything of its commands, after which it counts as one
 * without integration (the first may come before an integrated shell's first prompt). */
export const BLIND_AFTER_LINES = 2;

function countEnters(data: Uint8Array): number {
  let n = 0;
  for (const b of data) if (b === 0x0d) n++;
  return n;
}

export class CommandTracker {
  /** a command started or ended (the same object, updated) */
  readonly changed = new Emitter<Command>();
  /** the terminals whose commands are unknown changed (ids, ascending) */
  readonly blindChanged = new Emitter<number[]>();
  #tracks = new Map<number, Track>();
  #commands: Command[] = [];
  #nextId = 1;
  #integrated: boolean;
  #blind: number[] = [];

  /** `integrated`: whether the shell is started with our hooks (shell-integration.ts) */
  constructor(integrated = true) {
    this.#integrated = integrated;
  }

  /** Terminals whose commands are unknown: no integration, or lines typed and no mark ever. */
  get blind(): number[] {
    return this.#blind;
  }

  #updateBlind(): void {
    const blind = [...this.#tracks].filter(([, t]) => !t.marked && (!this.#integrated || t.enters >= BLIND_AFTER_LINES)).map(([id]) => id).sort((a, b) => a - b);
    if (blind.join() === this.#blind.join()) return;
    this.#blind = blind;
    this.blindChanged.fire(blind);
  }

  /** The newest commands, oldest first. */
  get commands(): Command[] {
    return this.#commands;
  }

  #track(term: number): Track {
    let t = this.#tracks.get(term);
    if (!t) this.#tracks.set(term, (t = { scanner: new OscScanner(), cwd: null, authors: new Map(), running: null, marked: false, enters: 0 }));
    return t;
  }

  output(term: number, data: Uint8Array): void {
    const t = this.#track(term);
    const known = t.marked;
    for (const m of t.scanner.scan(data)) {
      t.marked = true;
      this.#mark(term, t, m);
    }
    if (!known) {
      const blind = !t.marked && (!this.#integrated || t.enters >= BLIND_AFTER_LINES);
      if (blind !== this.#blind.includes(term)) this.#updateBlind();
    }
  }

  /** `data`: what was typed (only its Enter presses are counted, while a command runs) */
  input(term: number, who: CommandAuthor, data?: Uint8Array): void {
    const t = this.#track(term);
    if (t.running) {
      const lines = data ? countEnters(data) : 0;
      if (!lines) return;
      const first = !t.running.inside;
      t.running.inside = (t.running.inside ?? 0) + lines;
      // participants learn it once now (commands run inside, unseen); the count comes with the end
      if (first) this.changed.fire(t.running);
      return;
    }
    if (t.authors.has(who.id) || t.authors.size < MAX_AUTHORS) t.authors.set(who.id, who);
    if (!t.marked && data) t.enters += countEnters(data);
  }

  /** Forgets the terminals not in `ids` (closed). */
  keep(ids: Set<number>): void {
    for (const id of this.#tracks.keys()) if (!ids.has(id)) this.reset(id);
    this.#updateBlind();
  }

  /** The terminal is gone (closed or restarted): a command still running there ends unknown. */
  reset(term: number): void {
    const t = this.#tracks.get(term);
    if (t?.running) this.#finish(t, null);
    this.#tracks.delete(term);
  }

  #mark(term: number, t: Track, m: ShellMark): void {
    switch (m.kind) {
      case 'cwd':
        t.cwd = m.path;
        return;
      case 'exec': {
        if (t.running) this.#finish(t, null);
        const authors = [...t.authors.values()];
        const text = m.text === null ? null : m.text.slice(0, MAX_COMMAND_CHARS);
        const c: Command = { id: this.#nextId++, term, text, authors, cwd: t.cwd, start: Date.now(), end: null, exit: null };
        t.running = c;
        t.authors.clear();
        this.#commands.push(c);
        if (this.#commands.length > MAX_COMMANDS) this.#commands.splice(0, this.#commands.length - MAX_COMMANDS);
        return this.changed.fire(c);
      }
      case 'done':
        // a D without a C (Enter on an empty line, Ctrl+C at the prompt) ends nothing
        if (t.running) this.#finish(t, m.exit);
        t.authors.clear();
        return;
      case 'prompt':
      case 'input':
        return;
    }
  }

  #finish(t: Track, exit: number | null): void {
    const c = t.running!;
    c.end = Date.now();
    c.exit = exit;
    t.running = null;
    this.changed.fire(c);
  }

  dispose(): void {
    this.changed.dispose();
    this.blindChanged.dispose();
  }
}
