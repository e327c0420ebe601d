/** The terminals of one session, with ids that are never reused while the set lives. */
import { MAX_TERMINALS, type TermInfo } from '../../src/lib/protocol/terminal.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import { HostTerminal } from './terminal.ts';

const MAX_ID = 0xffff;

export interface TerminalDefaults {
  shell: string;
  /** the shell's arguments (shell integration) */
  args?: string[];
  cwd: string;
  env?: Record<string, string>;
}

export class TerminalSet {
  #defaults: TerminalDefaults;
  #terms = new Map<number, { term: HostTerminal; unsubscribe: () => void }>();
  #nextId = 1;
  #disposed = false;
  #held = false;
  #change = new Emitter<void>();
  #output = new Emitter<[number, number, Uint8Array]>();

  constructor(defaults: TerminalDefaults) {
    this.#defaults = defaults;
  }

  /** Opens a terminal running the default shell. Throws past MAX_TERMINALS. */
  open(cols?: number, rows?: number): HostTerminal {
    if (this.#disposed) throw new Error('The terminal set is closed; no terminals can be opened.');
    if (this.#terms.size >= MAX_TERMINALS) {
      throw new Error(`A session can have at most ${MAX_TERMINALS} terminals; close one before opening another.`);
    }
    const id = this.#allocateId();
    const term = new HostTerminal({ id, ...this.#defaults, cols, rows });
    if (this.#held) term.hold(true);
    const offChange = term.onChange(() => this.#change.fire());
    const offOutput = term.onOutput((seq, data) => this.#output.fire([id, seq, data]));
    this.#terms.set(id, {
      term,
      unsubscribe: () => {
        offChange();
        offOutput();
      }
    });
    this.#change.fire();
    return term;
  }

  get(id: number): HostTerminal | undefined {
    return this.#terms.get(id)?.term;
  }

  list(): TermInfo[] {
    return [...this.#terms.values()].map((e) => e.term.info);
  }

  /** Kills and forgets a terminal; false when there is no such terminal. */
  close(id: number): boolean {
    const e = this.#terms.get(id);
    if (!e) return false;
    this.#terms.delete(id);
    e.unsubscribe();
    e.term.dispose();
    this.#change.fire();
    return true;
  }

  /** Holds (or releases) reading every terminal's PTY, those opened later included (HostTerminal.hold). */
  hold(held: boolean): void {
    this.#held = held;
    for (const e of this.#terms.values()) e.term.hold(held);
  }

  /** list changed: open, close, exit, restart, resize, title */
  onChange(cb: () => void): () => void {
    const sub = this.#change.on(cb);
    return () => sub.dispose();
  }

  onOutput(cb: (id: number, seq: number, data: Uint8Array) => void): () => void {
    const sub = this.#output.on((a) => cb(...a));
    return () => sub.dispose();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const e of this.#terms.values()) {
      e.unsubscribe();
      e.term.dispose();
    }
    this.#terms.clear();
    this.#change.dispose();
    this.#output.dispose();
  }

  #allocateId(): number {
    // ids climb so a peer's stale state for a closed terminal never matches a new one
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= MAX_ID ? 1 : id + 1;
      if (!this.#terms.has(id)) return id;
    }
  }
}
