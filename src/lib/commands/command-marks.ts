/**
 * Command marks in a page's own terminal: its xterm parser sees the same OSC 133 marks the host
 * reads, so each command start gets an xterm marker (it follows the line as output scrolls, and
 * goes when the line leaves the scrollback) and a gutter decoration, red once the command failed.
 * Clicking a command in the panel scrolls its terminal to that marker: the panel's commands (from
 * the host) and this page's marks are matched newest first by their text, since a page that
 * joined late has marks only for what it saw itself.
 */
import type { IDecoration, IDecorationOptions, IDisposable, IMarker } from '@xterm/xterm';
import { MAX_COMMAND_CHARS, type Command } from '../protocol/commands.ts';
import { parseMark } from './shell-marks.ts';

/** Marks kept per terminal (the oldest go; the scrollback drops them sooner anyway). */
export const MAX_MARKS = 1000;

interface Mark {
  text: string | null;
  marker: IMarker;
  failed: boolean;
  decoration: IDecoration | undefined;
}

/** The part of xterm this uses (@xterm/headless has it too, but for decorations). */
interface Xterm {
  registerMarker(cursorYOffset?: number): IMarker | undefined;
  scrollToLine(line: number): void;
  parser: { registerOscHandler(ident: number, callback: (data: string) => boolean | Promise<boolean>): IDisposable };
  registerDecoration?(options: IDecorationOptions): IDecoration | undefined;
}

export class CommandMarks {
  #term: Xterm;
  #marks: Mark[] = [];
  /** where the current prompt started (a command typed there starts on that line) */
  #prompt: IMarker | undefined;
  #osc: IDisposable;

  constructor(term: Xterm) {
    this.#term = term;
    this.#osc = term.parser.registerOscHandler(133, (data) => {
      this.#mark(`133;${data}`);
      return false; // not ours alone: let anything else that cares see it
    });
  }

  /** The marks, oldest first (for tests and the panel's matching). */
  get marks(): readonly { text: string | null; line: number; failed: boolean }[] {
    return this.#marks.filter((m) => !m.marker.isDisposed).map((m) => ({ text: m.text, line: m.marker.line, failed: m.failed }));
  }

  #mark(payload: string): void {
    const m = parseMark(payload);
    if (!m) return;
    if (m.kind === 'prompt') {
      this.#prompt?.dispose();
      this.#prompt = this.#term.registerMarker(0);
    } else if (m.kind === 'exec') {
      // no prompt mark seen (this page joined at that prompt): the line typed is the one above
      const marker = this.#prompt ?? this.#term.registerMarker(-1);
      this.#prompt = undefined;
      if (!marker) return;
      const mark: Mark = { text: m.text === null ? null : m.text.slice(0, MAX_COMMAND_CHARS), marker, failed: false, decoration: undefined };
      // a gutter mark on the command's first cell, styled by the page (.command-mark, .failed)
      mark.decoration = this.#term.registerDecoration?.({ marker, x: 0, width: 1 });
      mark.decoration?.onRender((el) => {
        el.classList.add('command-mark');
        el.classList.toggle('failed', mark.failed);
      });
      this.#marks.push(mark);
      for (const old of this.#marks.splice(0, Math.max(0, this.#marks.length - MAX_MARKS))) {
        old.decoration?.dispose();
        old.marker.dispose();
      }
    } else if (m.kind === 'done') {
      const last = this.#marks.at(-1);
      if (!last || last.failed || m.exit === null || m.exit === 0) return;
      last.failed = true;
      last.decoration?.element?.classList.add('failed');
    }
  }

  /**
   * Scrolls to `c` (one of `all`, the panel's list); false when this page has no mark for it (it
   * ran before this page joined, or left the scrollback).
   */
  reveal(c: Command, all: readonly Command[]): boolean {
    const line = this.lineOf(c, all);
    if (line === null) return false;
    this.#term.scrollToLine(line);
    return true;
  }

  /** The buffer line where `c` starts here, or null. */
  lineOf(c: Command, all: readonly Command[]): number | null {
    const listed = all.filter((x) => x.term === c.term);
    const marks = this.#marks.filter((m) => !m.marker.isDisposed);
    // newest first; a listed command this page has no mark for (ran before it joined) is skipped
    for (let i = listed.length - 1, j = marks.length - 1; i >= 0 && j >= 0; i--) {
      const same = listed[i].text === marks[j].text || listed[i].text === null || marks[j].text === null;
      if (!same) continue;
      if (listed[i].id === c.id) return marks[j].marker.line;
      j--;
    }
    return null;
  }

  dispose(): void {
    this.#osc.dispose();
    this.#prompt?.dispose();
    for (const m of this.#marks) {
      m.decoration?.dispose();
      m.marker.dispose();
    }
    this.#marks = [];
  }
}

/** The marks of every terminal of a page, so the commands panel can reach its terminals. */
export class CommandMarkRegistry {
  #byTerm = new Map<number, CommandMarks>();
  /** shows a terminal's tab (set by the tabs) */
  onselect: ((term: number) => void) | null = null;

  add(term: number, marks: CommandMarks): () => void {
    this.#byTerm.set(term, marks);
    return () => this.#byTerm.get(term) === marks && this.#byTerm.delete(term);
  }

  /** Shows `c`'s terminal and scrolls it to `c`; false when this page has no mark for it. */
  reveal(c: Command, all: readonly Command[]): boolean {
    const marks = this.#byTerm.get(c.term);
    if (!marks || marks.lineOf(c, all) === null) return false;
    this.onselect?.(c.term);
    // once the tab is shown (a hidden terminal's viewport does not scroll)
    requestAnimationFrame(() => marks.reveal(c, all));
    return true;
  }
}
