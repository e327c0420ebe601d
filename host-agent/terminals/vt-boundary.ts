/**
 * Tracks, byte by byte, whether a terminal output stream sits at a clean boundary: the VT parser
 * in its ground state and no UTF-8 character half-read. A mirror snapshot is only exact for a
 * consumer that continues with the next chunk if it is taken at such a boundary; otherwise the
 * snapshot would lose the mirror's partial parser state (e.g. `ESC [ 3` waiting for `1m`).
 *
 * A simplified DEC/ANSI state machine (the one xterm.js implements): escape, CSI and string
 * (OSC/DCS/SOS/PM/APC) sequences; C1 controls are not recognised because the stream is UTF-8.
 */
const GROUND = 0;
const ESC = 1;
const ESC_INTERMEDIATE = 2;
const CSI = 3;
const STRING = 4;
const STRING_ESC = 5;

const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
const ESCAPE = 0x1b;

export class VtBoundary {
  #state = GROUND;
  /** continuation bytes still expected for the current UTF-8 character */
  #utf8Need = 0;

  /** Feeds bytes; returns whether the stream is at a clean boundary after them. */
  feed(bytes: Uint8Array): boolean {
    let state = this.#state;
    let need = this.#utf8Need;
    const n = bytes.length;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const b = bytes[i];
      if (b === CAN || b === SUB) {
        state = GROUND;
        need = 0;
        continue;
      }
      switch (state) {
        case GROUND:
          if (b < 0x80) {
            need = 0;
            if (b === ESCAPE) state = ESC;
            // plain ASCII runs (most output) skip the state machine: the mirror's host thread
            // spent ~10 % of a 50 MB burst here
            else while (i + 1 < n && (c = bytes[i + 1]) < 0x80 && c !== ESCAPE && c !== CAN && c !== SUB) i++;
          } else if (b < 0xc0) {
            if (need > 0) need--;
          } else if (b >= 0xc2 && b <= 0xdf) need = 1;
          else if (b >= 0xe0 && b <= 0xef) need = 2;
          else if (b >= 0xf0 && b <= 0xf4) need = 3;
          else need = 0;
          break;
        case STRING_ESC:
          // ESC \ ends the string; any other ESC starts a new sequence (as in xterm.js)
          if (b === 0x5c) {
            state = GROUND;
            break;
          }
          state = esc(b);
          break;
        case ESC:
          state = esc(b);
          break;
        case ESC_INTERMEDIATE:
          if (b === ESCAPE) state = ESC;
          else if (b >= 0x30 && b <= 0x7e) state = GROUND;
          break;
        case CSI:
          if (b === ESCAPE) state = ESC;
          else if (b >= 0x40 && b <= 0x7e) state = GROUND;
          break;
        case STRING:
          if (b === BEL) state = GROUND;
          else if (b === ESCAPE) state = STRING_ESC;
          break;
      }
    }
    this.#state = state;
    this.#utf8Need = need;
    return state === GROUND && need === 0;
  }

  get clean(): boolean {
    return this.#state === GROUND && this.#utf8Need === 0;
  }

  reset(): void {
    this.#state = GROUND;
    this.#utf8Need = 0;
  }
}

/** The state after the byte that follows an ESC. */
function esc(b: number): number {
  if (b === ESCAPE) return ESC;
  if (b === 0x5b) return CSI; // [
  if (b === 0x5d || b === 0x50 || b === 0x58 || b === 0x5e || b === 0x5f) return STRING; // ] P X ^ _
  if (b >= 0x20 && b <= 0x2f) return ESC_INTERMEDIATE;
  if (b < 0x20) return ESC; // C0 controls execute inside an escape sequence
  return GROUND;
}
