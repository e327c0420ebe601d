/**
 * Finds shell-integration marks in a terminal's raw output: OSC 133 (A prompt start, B command
 * line start, C command executed, D;exit finished) and OSC 7 (cwd), each ended by BEL or ST.
 * A byte-level state machine, so a sequence split across output chunks is still found; anything
 * else passes by untouched (the terminal itself is fed the same bytes elsewhere).
 */

export type ShellMark =
  | { kind: 'prompt' }
  | { kind: 'input' }
  /** `text`: the command line, when the shell told it (our bash hook does, base64) */
  | { kind: 'exec'; text: string | null }
  | { kind: 'done'; exit: number | null }
  | { kind: 'cwd'; path: string };

/** Longest OSC payload kept, bytes (a very long command line is cut, not buffered without end). */
export const MAX_OSC_BYTES = 64 * 1024;

const ESC = 0x1b;
const BEL = 0x07;

function decodeBase64(s: string): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export function parseMark(payload: string): ShellMark | null {
  if (payload.startsWith('7;')) {
    try {
      const url = new URL(payload.slice(2));
      return url.protocol === 'file:' ? { kind: 'cwd', path: decodeURIComponent(url.pathname) } : null;
    } catch {
      return null;
    }
  }
  if (!payload.startsWith('133;')) return null;
  const [code, ...params] = payload.slice(4).split(';');
  switch (code) {
    case 'A':
      return { kind: 'prompt' };
    case 'B':
      return { kind: 'input' };
    case 'C': {
      const cmd = params.find((p) => p.startsWith('cmd='));
      return { kind: 'exec', text: cmd ? decodeBase64(cmd.slice(4)) : null };
    }
    case 'D': {
      const n = params.length ? Number(params[0]) : NaN;
      return { kind: 'done', exit: Number.isInteger(n) ? n : null };
    }
    default:
      return null;
  }
}

export class OscScanner {
  /** 0 text, 1 after ESC, 2 in OSC, 3 in OSC after ESC */
  #state = 0;
  #buf: number[] = [];
  #over = false;
  #dec = new TextDecoder();

  /** The marks completed in this chunk, in order. */
  scan(data: Uint8Array): ShellMark[] {
    const marks: ShellMark[] = [];
    for (const b of data) {
      switch (this.#state) {
        case 0:
          if (b === ESC) this.#state = 1;
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
