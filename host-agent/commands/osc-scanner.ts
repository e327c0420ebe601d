/**
 * Finds shell-integration marks in a terminal's raw output: OSC 133 (A prompt start, B command
 * line start, C command executed, D;exit finished) and OSC 7 (cwd), each ended by BEL or ST.
 * A byte-level state machine, so a sequence split across output chunks is still found; anything
 * else passes by untouched (the terminal itself is fed the same bytes elsewhere).
 */

import { parseMark, type ShellMark } from '../../src/lib/commands/shell-marks.ts';

export { parseMark, type ShellMark };

/** Longest OSC payload kept, bytes (a very long command line is cut, not buffered without end). */
export const MAX_OSC_BYTES = 64 * 1024;

const ESC = 0x1b;
const BEL = 0x07;

export class OscScanner {
  /** 0 text, 1 after ESC, 2 in OSC, 3 in OSC after ESC */
  #state = 0;
  #buf: number[] = [];
  #over = false;
  #dec = new TextDecoder();

  /** The marks completed in this chunk, in order. */
  scan(data: Uint8Array): ShellMark[] {
    const marks: ShellMark[] = [];
    const n = data.length;
    for (let i = 0; i < n; i++) {
      const b = data[i];
      switch (this.#state) {
        case 0:
          if (b === ESC) this.#state = 1;
          else {
            // text runs to the next ESC (natively: a byte loop here was 4 % of a 50 MB burst's host CPU)
            const next = data.indexOf(ESC, i + 1);
            if (next < 0) return marks;
            i = next - 1;
          }
          break;
        case 1:
          if (b === 0x5d) {
            this.#state = 2;
            this.#buf = [];
            this.#over = false;
          } else this.#state = b === ESC ? 1 : 0;
          break;
        case 2:
          if (b === BEL) this.#end(marks);
          else if (b === ESC) this.#state = 3;
          else if (this.#buf.length < MAX_OSC_BYTES) this.#buf.push(b);
          else this.#over = true;
          break;
        case 3:
          if (b === 0x5c) this.#end(marks);
          else this.#state = b === ESC ? 1 : 0; // an ESC that ends nothing: a new sequence starts
          break;
      }
    }
    return marks;
  }

  #end(marks: ShellMark[]): void {
    this.#state = 0;
    const payload = this.#dec.decode(Uint8Array.from(this.#buf));
    this.#buf = [];
    const m = parseMark(payload);
    // a cut-off command line is still a command, without its text
    if (m) marks.push(this.#over && m.kind === 'exec' ? { kind: 'exec', text: null } : m);
  }
}
