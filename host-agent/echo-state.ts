/**
 * Whether a terminal waits for a password (`sudo`, `read -s`, `ssh`: line mode with echo off), so the audit log
 * records that input happened, and who typed it, but not what. Read with `stty -F /dev/pts/N`
 * once output has been quiet for QUIET_MS (a prompt was printed and the program waits), so the
 * state is known before the first keystroke; never on the keystroke's path (the PTY gets the
 * input first, the audit record follows). The readings come from one small `sh` per terminal
 * that runs `stty` for each line it is sent: spawning from the agent forks the agent, which holds
 * its event loop (1–3 ms, much more on a loaded box) while keystrokes and their echoes wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Output quiet this long before the echo state is (re)read, ms. */
export const QUIET_MS = 40;
/** Only for terminals someone typed into this recently (nobody types into `top`), ms. */
export const TYPING_MS = 60_000;
/** A reading asked for while output is fresh waits this long (the keystroke's echo goes first), ms. */
export const DEFER_MS = 15;
/** An "echo on" reading stands for an input once output follows it (its echo); else the terminal is read again after this, ms. */
export const ECHO_CONFIRM_MS = 150;
/** A reading that takes longer counts as "echo on", and its reader is restarted, ms. */
export const READ_TIMEOUT_MS = 2_000;
/** Inputs waiting for their echo at most (older ones count as hidden). */
const MAX_WAITING = 256;

/**
 * What a reading of the terminal says about the echo of the next input: `off` (a password prompt:
 * line mode, echo off), `kernel` (line mode with echo on: the terminal driver echoes each byte as
 * it is written, so the echo is the next output), `program` (raw mode: the program echoes, or
 * draws something else, itself).
 */
export type EchoMode = 'off' | 'kernel' | 'program';

/** One input, waiting for the output that follows it. */
class Typed {
  /** the bytes the terminal driver echoes (latin1, byte for byte); null when it has control bytes (their echo varies) */
  rest: string | null;
  /** verdict of the output that followed, once seen: `echoed` (it began with this input's echo) or not */
  seen: 'echoed' | 'other' | null = null;
  #wake: (() => void) | null = null;

  constructor(data: Uint8Array) {
    const text = Buffer.from(data).toString('latin1');
    this.rest = /[\x00-\x1f\x7f]/.test(text) ? null : text;
  }

  settle(seen: 'echoed' | 'other'): void {
    this.seen ??= seen;
    this.#wake?.();
  }

  /** Resolves once output followed this input, or after `ms` (seen stays null). */
  wait(ms: number): Promise<void> {
    if (this.seen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => (clearTimeout(timer), resolve());
    });
  }
}

export class EchoState {
  #pts: () => string | null;
  #known: Promise<EchoMode> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #typedAt = 0;
  #deferred: Promise<EchoMode> | null = null;
  #reader = new SttyReader();
  /** inputs whose following output has not been seen yet, oldest first */
  #waiting: Typed[] = [];
  #disposed = false;

  constructor(pts: () => string | null) {
    this.#pts = pts;
  }

  /**
   * Output arrived: it settles the inputs before it (each is `echoed` while the output goes on with
   * its echo, in the order typed), and the program may have changed the terminal: read it again
   * once quiet.
   */
  output(data: Uint8Array): void {
    let text = this.#waiting.length ? Buffer.from(data).toString('latin1') : '';
    while (this.#waiting.length && text) {
      const t = this.#waiting[0]!;
      if (t.rest === null) {
        // a control byte's echo varies (Enter echoes CR LF, ^C "^C"): any output counts, the rest of this output is its
        t.settle('echoed');
        this.#waiting.shift();
        break;
      }
      if (text.startsWith(t.rest)) {
        text = text.slice(t.rest.length);
        t.settle('echoed');
        this.#waiting.shift();
        continue;
      }
      if (t.rest.startsWith(text)) {
        // the echo of a long input goes on in the next output
        t.rest = t.rest.slice(text.length);
        break;
      }
      // output that is not its echo: this input was not echoed, nor any typed after it before a control byte
      t.settle('other');
      this.#waiting.shift();
    }
    this.#known = null;
    clearTimeout(this.#timer);
    if (Date.now() - this.#typedAt < TYPING_MS) this.#timer = setTimeout(() => void this.#read(), QUIET_MS);
  }

  /**
   * Whether this input went to a program with echo off (the audit records how much, not what).
   * The reading since output went quiet says how the terminal echoes; when output came a moment
   * ago (nothing is known), it is read DEFER_MS later: spawning `stty` holds the event loop ~1–3
   * ms, and the echo of this very keystroke would wait behind it. A reading of "echo on" may be
   * stale (bash prints `read -s`'s prompt, then turns echo off), so it stands only when the output
   * that follows the input is its echo; with no output at all, the terminal is read again.
   */
  echoOff(data: Uint8Array): Promise<boolean> {
    this.#typedAt = Date.now();
    const typed = new Typed(data);
    if (this.#waiting.push(typed) > MAX_WAITING) this.#waiting.shift()!.settle('other');
    const reading =
      this.#known ??
      (this.#deferred ??= new Promise((resolve) => {
        // not cleared by dispose: the input is recorded either way
        setTimeout(() => {
          this.#deferred = null;
          resolve(this.#read());
        }, DEFER_MS);
      }));
    return reading.then(async (mode) => {
      if (mode === 'off') return true;
      if (this.#disposed) return false;
      await typed.wait(ECHO_CONFIRM_MS);
      // a program in raw mode echoes (or redraws) as it likes: any output stands for it
      if (typed.seen) return mode === 'kernel' && typed.seen === 'other';
      this.#waiting = this.#waiting.filter((t) => t !== typed);
      this.#known = this.#reader.mode(this.#pts());
      // The driver echoes at once: no echo means echo was off (a reading now could already see the
      // echo back on, after an Enter typed since). A raw-mode program may draw nothing for a key.
      return mode === 'kernel' || (await this.#known) === 'off';
    });
  }

  #read(): Promise<EchoMode> {
    this.#known ??= this.#reader.mode(this.#pts());
    return this.#known;
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
    for (const t of this.#waiting.splice(0)) t.settle('echoed');
    this.#reader.dispose();
  }
}

/** Answers one line of `stty -a` (newlines made spaces; empty when it failed) per pts path written to it. */
const READER_SCRIPT = 'while IFS= read -r p; do stty -F "$p" -a 2>/dev/null | tr "\\n" " "; echo; done';

class SttyReader {
  #proc: ChildProcess | null = null;
  #waiting: ((line: string) => void)[] = [];
  #buffered = '';
  #disposed = false;

  /** How the terminal at `pts` echoes; `program` (any output stands for an echo) when it cannot be read. */
  async mode(pts: string | null): Promise<EchoMode> {
    if (!pts || this.#disposed || /\n/.test(pts)) return 'program';
    const stty = await this.#ask(pts);
    if (!stty) return 'program';
    // A password prompt reads whole lines with echo off (`icanon -echo`); readline and full-screen
    // programs turn both off (`-icanon -echo`) and echo themselves: those keystrokes are recorded.
    if (/(^|\s)-icanon(\s|;|$)/.test(stty)) return 'program';
    return /(^|\s)-echo(\s|;|$)/.test(stty) ? 'off' : 'kernel';
  }

  #ask(pts: string): Promise<string> {
    const proc = (this.#proc ??= this.#start());
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#stop(proc), READ_TIMEOUT_MS);
      this.#waiting.push((line) => (clearTimeout(timer), resolve(line)));
      proc.stdin!.write(`${pts}\n`);
    });
  }

  #start(): ChildProcess {
    const proc = spawn('sh', ['-c', READER_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.#buffered = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      this.#buffered += d;
      for (let nl = this.#buffered.indexOf('\n'); nl >= 0; nl = this.#buffered.indexOf('\n')) {
        const line = this.#buffered.slice(0, nl);
        this.#buffered = this.#buffered.slice(nl + 1);
        this.#waiting.shift()?.(line);
      }
    });
    proc.stdin!.on('error', () => this.#stop(proc));
    proc.on('error', () => this.#stop(proc));
    proc.on('exit', () => this.#stop(proc));
    return proc;
  }

  /** Ends a reader that failed, hung or is no longer needed: what it still owes reads as "echo on". */
  #stop(proc: ChildProcess): void {
    if (this.#proc !== proc) return;
    this.#proc = null;
    proc.kill();
    for (const w of this.#waiting.splice(0)) w('');
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#proc) this.#stop(this.#proc);
  }
}
